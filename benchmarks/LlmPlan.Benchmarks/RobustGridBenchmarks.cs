using BenchmarkDotNet.Attributes;
using LlmPlan.IO.Robust;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Robust;

namespace LlmPlan.Benchmarks;

/// <summary>The seed's 121-point <c>gpu-cost-error</c> sensitivity grid (GPU price 0.5…1.5 × error threshold 0.4…1.4) of
/// the default instance (examples/robust/seed42-instance.json), corrected formulation, solved as
/// <c>llmplan sweep robust --preset gpu-cost-error</c> solves it (rows in parallel, each point warm-started from its
/// neighbour). One operation takes tens of seconds: run it with
/// <c>--filter '*RobustGridBenchmarks*' --strategy Monitoring --launchCount 1 --warmupCount 0 --iterationCount 3</c>
/// (docs/performance.md).</summary>
public class RobustGridBenchmarks
{
    private RobustInstance _instance = null!;
    private IReadOnlyList<SweepAxis> _axes = [];

    [GlobalSetup]
    public void Setup()
    {
        _instance = RobustInstanceReader.Read(BenchmarkFiles.InRepository("examples", "robust", "seed42-instance.json"));
        _axes = RobustSweep.FindPreset("gpu-cost-error")!.Axes;
    }

    [Benchmark]
    public IReadOnlyList<RobustSweepPoint> Grid() => RobustSweep.Run(_instance, _axes, new RobustOptions(), CbcSolver.Instance);
}
