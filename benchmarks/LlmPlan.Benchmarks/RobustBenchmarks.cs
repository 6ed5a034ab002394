using BenchmarkDotNet.Attributes;
using LlmPlan.IO.Robust;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Robust;

namespace LlmPlan.Benchmarks;

/// <summary>One robust solve (model build + CBC to a proven optimum) of the seed's default instance
/// (examples/robust/seed42-instance.json) in each formulation. The seed needs Gurobi (0.1–0.8 s); HiGHS took 0.1–70 s.</summary>
public class RobustBenchmarks
{
    private RobustInstance _instance = null!;

    [Params("seed", "corrected")]
    public string Formulation { get; set; } = "seed";

    [GlobalSetup]
    public void Setup() => _instance = RobustInstanceReader.Read(BenchmarkFiles.InRepository("examples", "robust", "seed42-instance.json"));

    [Benchmark]
    public RobustSolution Solve() => RobustPlanner.Solve(
        _instance,
        new RobustOptions { Formulation = Formulation == "seed" ? FormulationKind.Seed : FormulationKind.Corrected },
        CbcSolver.Instance);
}
