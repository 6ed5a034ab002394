using LlmPlan.IO.Robust;
using LlmPlan.Optimization;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Robust;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Planning.Robust;

public class RobustFormulationTests
{
    public static readonly string Seed42 = Path.Combine(CliRun.RepositoryRoot, "examples", "robust", "seed42-instance.json");

    [Fact]
    public void Should_cost_494_9981_When_the_seed_formulation_solves_the_seed_42_instance()
    {
        RobustInstance instance = RobustInstanceReader.Read(Seed42);
        var (model, _) = RobustFormulation.Build(instance, new RobustOptions { Formulation = FormulationKind.Seed });
        SolverResult result = CbcSolver.Instance.Solve(model, SolverOptions.Default);
        Assert.Equal(SolverStatus.Optimal, result.Status);
        Assert.Equal(494.9981, result.Objective, 4);
    }
}
