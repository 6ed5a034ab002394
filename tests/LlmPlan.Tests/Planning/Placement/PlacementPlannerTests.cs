using LlmPlan.Planning.Placement;

namespace LlmPlan.Tests.Planning.Placement;

public class PlacementPlannerTests
{
    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 120; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_match_brute_force_When_the_pool_is_small(int seed)
    {
        // Given a random pool of at most 3 machines and a model of at most 10 layers, with random limits
        PlacementProblem unlimited = PlacementTestProblems.Problem(seed);
        PlacementProblem problem = PlacementTestProblems.WithLimits(unlimited, PlacementBruteForce.All(unlimited), seed);
        List<PlacementBruteForce.Candidate> feasible = PlacementBruteForce.All(problem);

        // When the exact search solves it
        PlacementResult result = PlacementPlanner.Solve(problem);

        // Then it is infeasible exactly when no placement is, and otherwise reaches the brute-force optimum
        if (feasible.Count == 0)
        {
            Assert.Equal(PlacementStatus.Infeasible, result.Status);
            Assert.NotEmpty(result.Reason);
            return;
        }

        Assert.Equal(PlacementStatus.Optimal, result.Status);
        double best = PlacementBruteForce.Best(problem, feasible);
        Assert.Equal(best, result.Objective, Math.Abs(best) * 1e-9);
        Assert.Equal(result.Objective, PlacementPlanner.ObjectiveOf(problem, result.Plan!));
        Assert.True(result.Plan!.Evaluation.Feasible);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Should_list_the_brute_force_frontier_When_asked_for_every_tradeoff(int seed)
    {
        // Given a random small problem with limits but no target rate
        PlacementProblem unlimited = PlacementTestProblems.Problem(seed);
        PlacementProblem limited = PlacementTestProblems.WithLimits(unlimited, PlacementBruteForce.All(unlimited), seed);
        PlacementProblem problem = limited with { Constraints = limited.Constraints with { TargetTokensPerSecond = null, TargetRequestsPerSecond = null, MaxReplicas = null } };
        var expected = PlacementBruteForce.Front(PlacementBruteForce.All(problem));

        // When the frontier is searched
        var (frontier, _) = PlacementPlanner.Frontier(problem);

        // Then it has the same (cost, throughput) points
        Assert.Equal(expected.Count, frontier.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Cost, frontier[i].CostPerHour.Value, 1e-9 * expected[i].Cost);
            Assert.Equal(expected[i].Throughput, frontier[i].TotalTokensPerSecond.Value, 1e-9 * expected[i].Throughput);
        }
    }
}
