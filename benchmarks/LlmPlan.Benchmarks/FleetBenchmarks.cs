using BenchmarkDotNet.Attributes;
using LlmPlan.IO.Fleet;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Fleet;
using LlmPlan.Units;

namespace LlmPlan.Benchmarks;

/// <summary>One fleet solve (<see cref="FleetPlanner.Plan"/>: the exact fleet search, with CBC on the integer program as
/// its fallback) on the Llama-2-7B Chatbot Arena profiles (examples/fleet/melange-llama2-7b-arena.json: 36 buckets,
/// 4 GPU types) at a request rate and slice factor. Mélange needs 0.1–4 s per solve with CBC through PuLP.</summary>
public class FleetBenchmarks
{
    private MelangeConfig _config = null!;
    private FleetProblem _problem = null!;

    [Params(1, 2, 4, 8, 16, 18, 19, 20, 25, 26, 28, 32)]
    public int Rate { get; set; } = 1;

    [Params(1, 4, 8)]
    public int SliceFactor { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        _config = MelangeConfigReader.Read(BenchmarkFiles.InRepository("examples", "fleet", "melange-llama2-7b-arena.json"));
        _problem = _config.ToProblem(RequestsPerSecond.FromRequestsPerSecond(Rate), SliceFactor);
    }

    [Benchmark]
    public FleetPlan Solve() => FleetPlanner.Plan(_problem, CbcSolver.Instance);
}
