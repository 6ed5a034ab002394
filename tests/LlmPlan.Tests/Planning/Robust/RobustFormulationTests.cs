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
        // Given the seed's default instance, When the seed formulation is solved
        RobustSolution solution = RobustPlanner.Solve(RobustInstanceReader.Read(Seed42), new RobustOptions { Formulation = FormulationKind.Seed }, CbcSolver.Instance);

        // Then the optimum and the deployment are the published ones (spec §5.1)
        Assert.Equal(RobustStatus.Optimal, solution.Status);
        Assert.Equal(494.9981, solution.Objective, 4);
        Assert.Equal(solution.Objective, solution.Breakdown!.Total, 6);
        Assert.Equal(405.7434, solution.Breakdown.Rental, 4);
        Assert.Equal(23, solution.Deployments.Sum(d => d.TensorParallel));
        Assert.Contains(solution.Deployments, d => d.Model == 5 && d.Tier == 9 && !solution.Routes.Any(r => r.Model == 5 && r.Tier == 9));
    }

    [Theory]
    [InlineData(FormulationKind.Seed, false, 50.0, 1.0)]
    [InlineData(FormulationKind.Seed, false, 0.5, 1.0)]
    [InlineData(FormulationKind.Seed, false, 0.0, 1.0)]
    [InlineData(FormulationKind.Seed, false, 50.0, 0.5)]
    [InlineData(FormulationKind.Seed, false, 1.0, 0.3)]
    [InlineData(FormulationKind.Corrected, false, 50.0, 1.0)]
    [InlineData(FormulationKind.Corrected, false, 0.5, 1.0)]
    [InlineData(FormulationKind.Corrected, false, 50.0, 0.4)]
    [InlineData(FormulationKind.Corrected, true, 1.5, 1.0)]
    [InlineData(FormulationKind.Corrected, true, 0.0, 1.0)]
    public void Should_match_the_literal_row_by_row_model_When_random_sub_instances_are_solved(FormulationKind formulation, bool split, double gamma, double memory)
    {
        // Given random sub-instances of the seed-42 instance (3 classes, 3 models, 4 tiers; seeded), with GPU memory
        // scaled so that the least shares of the seed's unmet cap crowd the pairs (covers, closed slots)
        RobustInstance full = RobustScaling.Scale(RobustInstanceReader.Read(Seed42), ScaledParameter.GpuMemory, memory);
        var random = new Random(2026 + (int)formulation + (split ? 10 : 0) + (int)(gamma * 10) + (memory == 1.0 ? 0 : (int)(memory * 100)));
        var options = new RobustOptions { Formulation = formulation, SplitTraffic = split, GammaDelay = gamma, GammaError = gamma };
        SolverOptions solverOptions = RobustPlanner.DefaultSolverOptions with { TimeLimit = LlmPlan.Units.Seconds.FromSeconds(60) };
        int solved = 0;
        for (int trial = 0; trial < 4; trial++)
        {
            int[] classes = [.. Enumerable.Range(0, 6).OrderBy(_ => random.Next()).Take(3).Order()];
            int[] models = [.. new[] { 0, 1, 2, 5 }.OrderBy(_ => random.Next()).Take(3).Order()];
            int[] tiers = [.. Enumerable.Range(0, 10).OrderBy(_ => random.Next()).Take(4).Order()];
            RobustInstance instance = LiteralRobustModel.Subset(full, classes, models, tiers);

            // When both the planner's tightened model and the literal model are solved
            SolverResult tight = CbcSolver.Instance.Solve(RobustFormulation.Build(instance, options).Model, solverOptions);
            SolverResult literal = CbcSolver.Instance.Solve(LiteralRobustModel.Build(instance, options), solverOptions);

            // Then both are infeasible, or both optimal at the same cost
            Assert.Equal(literal.Status, tight.Status);
            if (tight.Status == SolverStatus.Optimal)
            {
                Assert.Equal(literal.Objective, tight.Objective, 6);
                solved++;
            }
        }

        Assert.True(solved > 0, "no sub-instance was feasible; the check proved nothing");
    }

    [Fact]
    public void Should_take_the_worst_deviations_first_When_the_budget_is_fractional()
    {
        Assert.Equal(5 + (3 * 0.5), RobustConstraints.WorstCase([1, 5, 3], 1.5), 12);
        Assert.Equal(9, RobustConstraints.WorstCase([1, 5, 3], 10), 12);
        Assert.Equal(0, RobustConstraints.WorstCase([1, 5, 3], 0), 12);
    }
}
