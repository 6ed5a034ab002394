using LlmPlan.Cluster;
using LlmPlan.Optimization;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Units;

namespace LlmPlan.Tests.Planning.Placement;

public class PlacementMilpTests
{
    /// <summary>Without CBC's cuts and heuristics the cell MILPs solve about three times faster here; the time limit is a
    /// guard only: a cell MILP that stops on it fails the test.</summary>
    private static readonly SolverOptions Options = SolverOptions.Default with { Cuts = false, Heuristics = false, TimeLimit = Seconds.FromSeconds(20) };

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 20; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_reach_the_MILP_optimum_When_the_pool_is_too_big_for_brute_force(int seed)
    {
        // Given a random pool of 4–8 machines of 2–4 types, a model of 8–24 layers, the least $/h objective and a floor
        // on tokens/s at 0.4–1.1 of the fastest placement's
        PlacementProblem unlimited = PlacementTestProblems.Medium(seed);
        PlacementResult fastest = PlacementPlanner.Solve(unlimited with { Objective = PlacementObjective.Throughput });
        double top = fastest.Status == PlacementStatus.Optimal ? fastest.Plan!.TotalTokensPerSecond.Value : 1;
        PlacementProblem problem = PlacementTestProblems.WithThroughputFloor(unlimited, top, seed);
        double rate = problem.Constraints.TokenVolume!.Value.Value / problem.Constraints.MaxRuntime!.Value.Value;

        // When the exact search and the MILP of every (stages, running sequences) cell solve it
        PlacementResult result = PlacementPlanner.Solve(problem);
        var (milp, _) = PlacementMilp.Solve(problem, rate, Options);

        // Then both are infeasible, or both reach the same $/h with placements that meet the floor as the performance
        // model predicts them
        if (milp is null)
        {
            Assert.Equal(PlacementStatus.Infeasible, result.Status);
            Assert.NotEmpty(result.Reason);
            return;
        }

        Assert.Equal(PlacementStatus.Optimal, result.Status);
        Assert.Equal(milp.Cost, result.Plan!.CostPerHour.Value, milp.Cost * 1e-6);
        Assert.True(result.Plan.TotalTokensPerSecond.Value >= rate * (1 - 1e-9));

        Deployment deployment = PlacementBuilder.Assemble(problem.Model, milp.Stages, problem.Weights, problem.KvCache, problem.Network);
        Evaluation evaluation = PerformanceModel.Evaluate(deployment, problem.Workload, problem.Engine);
        Assert.True(evaluation.Feasible);
        Assert.Equal(milp.Concurrency, evaluation.Concurrency);
        Assert.Equal(milp.Cost, deployment.CostPerHour.Value, milp.Cost * 1e-9);
        Assert.True(evaluation.TotalTokensPerSecond.Value >= rate * (1 - 1e-6));
    }
}
