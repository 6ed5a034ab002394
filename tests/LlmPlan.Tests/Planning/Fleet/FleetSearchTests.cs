using LlmPlan.IO.Fleet;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Fleet;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Planning.Fleet;

/// <summary>The exact fleet search against CBC on the compact integer program (docs/fleet.md §11).</summary>
public class FleetSearchTests
{
    [Fact]
    public void Should_find_cbcs_optimal_cost_When_the_arena_profiles_are_planned_at_every_rate_and_slice_factor()
    {
        // Given the Llama-2-7B profiles of L4, A10G, A100 and H100 over the Chatbot Arena distribution, When planned at
        // every rate 1..32 requests/s with slice factors 1, 4 and 8, Then the search itself (no fallback) proves every
        // optimum; each costs what CBC's optimum on the integer program costs and its split carries every bucket; and
        // the branch and bound decided some of them (these rates hold count vectors whose LP relaxation fits and whose
        // slices do not, or fit only after a search).
        MelangeConfig config = MelangeConfigReader.Read(Path.Combine(CliRun.RepositoryRoot, "examples", "fleet", "melange-llama2-7b-arena.json"));
        long nodes = 0;
        foreach (int f in new[] { 1, 4, 8 })
        {
            foreach (int rate in Enumerable.Range(1, 32))
            {
                FleetProblem problem = config.ToProblem(RequestsPerSecond.FromRequestsPerSecond(rate), f);
                FleetPlan plan = FleetPlanner.Plan(problem, CbcSolver.Instance);
                Assert.Equal((FleetSearch.Name, FleetStatus.Optimal), (plan.Solver, plan.Status));
                AssertCarries(problem, plan);
                Assert.Equal(CbcCost(problem)!.Value, plan.CostPerHour.Value, 6);
                nodes += FleetSearch.Solve(problem)!.Nodes;
            }
        }

        Assert.True(nodes > 0);
    }

    [Fact]
    public void Should_equal_cbc_When_seeded_random_problems_with_many_buckets_and_slices_need_the_branch_and_bound()
    {
        // Given 40 seeded random problems with 6–16 buckets, 3–4 options, slice factors 1, 2, 4 or 8 and rates that
        // need a few units of each option, When planned, Then the search solves every one (no fallback) at CBC's optimal
        // cost with a split that carries every bucket, and the branch and bound ran on some of them.
        var random = new Random(2_12_2026);
        long nodes = 0;
        int searched = 0;
        for (int n = 0; n < 40; n++)
        {
            int rows = 2 + random.Next(3);
            int columns = 3 + random.Next(2);
            int options = 3 + random.Next(2);
            double[][] distribution = [.. Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, columns).Select(_ => 0.05 + random.NextDouble()).ToArray())];
            double sum = distribution.Sum(r => r.Sum());
            distribution = [.. distribution.Select(r => r.Select(v => v / sum).ToArray())];
            var gpus = Enumerable.Range(0, options).Select(g => (
                Name: $"G{g}",
                Cost: Math.Round(0.5 + (4.5 * random.NextDouble()), 2),
                Tputs: Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, columns).Select(_ => Math.Round(1 + (20 * random.NextDouble()), 2)).ToArray()).ToArray())).ToArray();
            FleetProblem problem = FleetTestProblems.Build(distribution, Math.Round(10 + (40 * random.NextDouble()), 1), new[] { 1, 2, 4, 8 }[random.Next(4)], gpus);

            FleetPlan plan = FleetPlanner.Plan(problem, CbcSolver.Instance);

            Assert.Equal((FleetSearch.Name, FleetStatus.Optimal), (plan.Solver, plan.Status));
            Assert.Equal(CbcCost(problem)!.Value, plan.CostPerHour.Value, 6);
            AssertCarries(problem, plan);
            long these = FleetSearch.Solve(problem)!.Nodes;
            nodes += these;
            searched += these > 0 ? 1 : 0;
        }

        Assert.True(searched >= 2, $"the branch and bound ran on {searched} problems ({nodes} nodes)");
    }

    [Fact]
    public void Should_equal_cbc_When_seeded_random_problems_with_quotas_minimums_headroom_and_zero_throughputs_are_solved()
    {
        // Given 300 seeded random problems (2–4 options, 2 × 3 buckets, throughputs 0–30 req/s with a fifth of them 0,
        // rates 0–60 req/s, slice factors 1–8, utilisation 0.6–1, some quotas and minimums, some of them infeasible),
        // When planned, Then the search handles every one and agrees with CBC on the integer program: the same optimal
        // cost, or both infeasible.
        var random = new Random(11_2026);
        int infeasible = 0;
        for (int n = 0; n < 300; n++)
        {
            FleetProblem problem = RandomProblem(random);
            double? reference = CbcCost(problem);
            FleetPlan plan = FleetPlanner.Plan(problem, CbcSolver.Instance);
            if (reference is null)
            {
                Assert.Equal(FleetStatus.Infeasible, plan.Status);
                Assert.NotEmpty(plan.Reason);
                infeasible++;
                continue;
            }

            Assert.Equal((FleetSearch.Name, FleetStatus.Optimal), (plan.Solver, plan.Status));
            Assert.Equal(reference.Value, plan.CostPerHour.Value, 6);
            AssertCarries(problem, plan);
        }

        // Both outcomes are exercised.
        Assert.InRange(infeasible, 10, 290);
    }

    [Fact]
    public void Should_fall_back_to_cbc_When_the_counts_to_try_are_too_many()
    {
        // Given six options that each serve one bucket only (so no option alone is a fleet to bound the counts) with
        // generous quotas, When planned, Then the search gives up and CBC finds the optimum.
        double[][] tputs(int k) => [.. Enumerable.Range(0, 2).Select(r => Enumerable.Range(0, 3).Select(c => (r * 3) + c == k ? 1.0 : 0.0).ToArray())];
        FleetProblem problem = FleetTestProblems.Build([[1.0 / 6, 1.0 / 6, 1.0 / 6], [1.0 / 6, 1.0 / 6, 1.0 / 6]], 120, 1,
            [.. Enumerable.Range(0, 6).Select(k => ($"G{k}", 1.0 + k, tputs(k)))]);
        problem = problem with { Options = [.. problem.Options.Select(o => o with { MaxCount = 40 })] };

        Assert.Null(FleetSearch.Solve(problem));
        FleetPlan plan = FleetPlanner.Plan(problem, CbcSolver.Instance);
        Assert.Equal((CbcSolver.Instance.Name, FleetStatus.Optimal), (plan.Solver, plan.Status));
        Assert.Equal(Enumerable.Range(0, 6).Sum(k => 20 * (1.0 + k)), plan.CostPerHour.Value, 6);
    }

    private static FleetProblem RandomProblem(Random random)
    {
        int options = 2 + random.Next(3);
        double[][] distribution = [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 3).Select(_ => random.Next(6) == 0 ? 0 : random.NextDouble()).ToArray())];
        double sum = Math.Max(distribution.Sum(r => r.Sum()), 1e-9);
        distribution = [.. distribution.Select(r => r.Select(v => v / sum).ToArray())];
        var gpus = Enumerable.Range(0, options).Select(g => (
            Name: $"G{g}",
            Cost: Math.Round(0.5 + (4.5 * random.NextDouble()), 2),
            Tputs: Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 3).Select(_ => random.Next(5) == 0 ? 0 : Math.Round(30 * random.NextDouble(), 2)).ToArray()).ToArray())).ToArray();
        FleetProblem problem = FleetTestProblems.Build(distribution, Math.Round(60 * random.NextDouble(), 1), 1 + random.Next(8), gpus);
        return problem with
        {
            Utilization = random.Next(3) == 0 ? Math.Round(0.6 + (0.4 * random.NextDouble()), 2) : 1.0,
            Options = [.. problem.Options.Select(o =>
            {
                int min = random.Next(5) == 0 ? 1 + random.Next(2) : 0;
                int? max = random.Next(3) == 0 ? min + random.Next(8) : null;
                return o with { MinCount = min, MaxCount = max };
            })],
        };
    }

    /// <summary>CBC's optimal cost on the compact integer program, or null when it is infeasible.</summary>
    private static double? CbcCost(FleetProblem problem)
    {
        FleetPlanner.Solution? solution = FleetPlanner.SolveModel(problem, null, CbcSolver.Instance, null, out _);
        Assert.True(solution is null || solution.Optimal);
        return solution?.Counts.Select((c, g) => c * problem.Options[g].CostPerHour.Value).Sum();
    }

    /// <summary>Every bucket's slices go to options that serve it, and every option's load fits its units.</summary>
    private static void AssertCarries(FleetProblem problem, FleetPlan plan)
    {
        for (int b = 0; b < problem.Buckets.Count; b++)
        {
            FleetBucket bucket = problem.Buckets[b];
            var parts = plan.Assignments.Where(a => a.Bucket == bucket).ToList();
            Assert.Equal(bucket.Rate.Value > 0 ? problem.SliceFactor : 0, parts.Sum(a => a.Slices));
            Assert.All(parts, a => Assert.True(a.Option.Capacity[b].Value > 0));
        }

        Assert.All(plan.Allocations, a =>
        {
            Assert.InRange(a.Count, a.Option.MinCount, a.Option.MaxCount ?? int.MaxValue);
            Assert.True(a.Load <= (problem.Utilization * a.Count) + 1e-6, Invariant.Text($"{a.Option.Name}: load {a.Load} on {a.Count} units"));
        });
    }
}
