using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Fleet;

namespace LlmPlan.Tests.Planning.Fleet;

public class FleetPlannerTests
{
    private static FleetPlan Plan(FleetProblem problem) => FleetPlanner.Plan(problem, CbcSolver.Instance);

    private static int[] Counts(FleetPlan plan) => [.. plan.Allocations.Select(a => a.Count)];

    [Fact]
    public void Should_buy_three_a10g_and_one_a100_When_melanges_example_is_planned()
    {
        // Given example.json (rates 6, 3, 15, 6 req/s; A10G loads 3 per bucket, A100 0.3/0.15/0.375/0.3), When planned
        // with whole buckets, Then the cheapest mix puts one bucket on 3 A10G and the rest (0.825) on 1 A100: 6.7 $/h.
        FleetPlan plan = Plan(FleetTestProblems.MelangeExample());

        Assert.Equal(FleetStatus.Optimal, plan.Status);
        Assert.Equal([3, 1], Counts(plan));
        Assert.Equal(6.7, plan.CostPerHour.Value, 9);
        Assert.Equal(0, plan.Gap);
        Assert.All(plan.Allocations, a => Assert.True(a.Load <= a.Count + 1e-9));
        Assert.Equal(4, plan.Assignments.Select(a => a.Bucket).Distinct().Count());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Should_cost_5_69_When_buckets_may_be_split(int sliceFactor)
    {
        // Given the same example with slices, Then half of the (2,1) bucket fits on A10Gs: A10G 2, A100-80GB 1 = 5.69 $/h.
        FleetPlan plan = Plan(FleetTestProblems.MelangeExample(sliceFactor: sliceFactor));
        Assert.Equal([2, 1], Counts(plan));
        Assert.Equal(5.69, plan.CostPerHour.Value, 9);
    }

    [Fact]
    public void Should_count_ten_not_eleven_When_a_float_sum_lands_a_hair_above_a_whole_number()
    {
        // Given Mélange's notebook example (spec A4, T1): the A10G aggregate load is 0.8 + 8 + 0.4 + 0.8, which floats
        // sum to 10.000000000000002, When the A10G-only fleet is sized, Then it is 10 GPUs (10.10 $/h), not 11.
        var problem = FleetTestProblems.Build([[0.25, 0.5], [0.25, 0.25]], 16, 1,
            ("A10G", 1.01, [[5, 1], [10, 5]]), ("A100", 3.67, [[20, 2], [50, 20]]));
        FleetPlan plan = Plan(problem);
        Assert.Equal([10, 0], Counts(plan));
        Assert.Equal(10.1, plan.CostPerHour.Value, 9);
        Assert.Equal(10, plan.SingleType[0].Count);
        Assert.Equal(5, plan.SingleType[1].Count);
        Assert.Equal(18.35, plan.SingleType[1].CostPerHour!.Value.Value, 9);
    }

    [Theory]
    [InlineData(new[] { 0.25, 0.125, 0.375, 0.25 }, 16.0, new[] { 5, 0 }, 5.05)]
    [InlineData(new[] { 0.25, 0.125, 0.375, 0.25 }, 1.0, new[] { 1, 0 }, 1.01)]
    [InlineData(new[] { 0.25, 0.125, 0.375, 0.25 }, 0.0, new[] { 0, 0 }, 0.0)]
    public void Should_match_melanges_test_vectors_When_its_other_examples_are_planned(double[] fractions, double rate, int[] counts, double cost)
    {
        // Spec A4: T2 (rate 16 → A10G 5, 5.05 $/h), T4 (rate 1 → A10G 1), T5 (rate 0 → nothing, 0 $/h).
        var problem = FleetTestProblems.Build([[fractions[0], fractions[1]], [fractions[2], fractions[3]]], rate, 1,
            ("A10G", 1.01, [[5, 1], [10, 5]]), ("A100-80GB", 3.67, [[20, 2], [50, 20]]));
        FleetPlan plan = Plan(problem);
        Assert.Equal(FleetStatus.Optimal, plan.Status);
        Assert.Equal(counts, Counts(plan));
        Assert.Equal(cost, plan.CostPerHour.Value, 9);
    }

    [Fact]
    public void Should_route_around_a_gpu_that_cannot_serve_a_bucket_When_its_throughput_is_zero()
    {
        // Given an A10G that cannot meet the SLO for long requests (throughput 0), Then those go to the A100 and the A10G
        // alone is no fleet.
        var problem = FleetTestProblems.Build([[0.5, 0.5]], 10, 1, ("A10G", 1.01, [[5, 0]]), ("A100", 3.67, [[20, 10]]));
        FleetPlan plan = Plan(problem);
        Assert.Equal(FleetStatus.Optimal, plan.Status);
        Assert.DoesNotContain(plan.Assignments, a => a.Option.Name == "A10G" && a.Bucket.Column == 1);
        Assert.Equal("cannot serve (input 1, output 2)", plan.SingleType[0].Problem);
        Assert.Null(plan.SingleType[0].Count);
        Assert.Equal("A100", plan.BestSingleType!.Option.Name);
    }

    [Fact]
    public void Should_name_the_bucket_When_no_gpu_can_serve_it()
    {
        var problem = FleetTestProblems.Build([[0.5, 0.5]], 10, 1, ("A10G", 1.01, [[5, 0]]), ("A100", 3.67, [[20, 0]]));
        FleetPlan plan = Plan(problem);
        Assert.Equal(FleetStatus.Infeasible, plan.Status);
        Assert.Equal("no option can serve (input 1, output 2) (5 requests/s): every throughput there is 0 (the SLO cannot be met). Add an option that can, relax the SLO, or remove those requests.", plan.Reason);
    }

    [Fact]
    public void Should_say_which_quota_binds_When_quotas_are_too_small()
    {
        // Given the example with at most 1 A100-80GB and 5 A10G, the load needs more: without quotas it is 3 + 1, and
        // with A100 ≤ 1 the rest needs ≥ 6 A10G.
        FleetProblem example = FleetTestProblems.MelangeExample();
        FleetProblem problem = example with { Options = [example.Options[0] with { MaxCount = 2 }, example.Options[1] with { MaxCount = 0 }] };
        FleetPlan plan = Plan(problem);
        Assert.Equal(FleetStatus.Infeasible, plan.Status);
        Assert.Equal("the quotas (A10G ≤ 2, A100-80GB ≤ 0) leave too few units to carry 30 requests/s at 1 utilisation; the cheapest fleet without quotas needs A10G 3 (quota 2), A100-80GB 1 (quota 0). Raise those quotas or add options.", plan.Reason);
    }

    [Fact]
    public void Should_buy_more_units_When_headroom_is_kept_or_a_minimum_is_set()
    {
        // Given the example at 80 % utilisation, Then the loads 3 (one bucket on A10G) and 0.825 need 3/0.8 → 4 A10G
        // or fewer buckets there; the optimum can only cost more than 6.7. With at least 2 A100, they are bought.
        FleetPlan headroom = Plan(FleetTestProblems.MelangeExample() with { Utilization = 0.8 });
        Assert.True(headroom.CostPerHour.Value > 6.7);
        Assert.All(headroom.Allocations, a => Assert.True(a.Load <= (0.8 * a.Count) + 1e-9));

        FleetProblem example = FleetTestProblems.MelangeExample();
        FleetPlan minimum = Plan(example with { Options = [example.Options[0], example.Options[1] with { MinCount = 2 }] });
        Assert.True(minimum.Allocations[1].Count >= 2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Should_equal_melanges_per_slice_formulation_When_the_example_is_solved(int sliceFactor)
    {
        FleetProblem problem = FleetTestProblems.MelangeExample(sliceFactor: sliceFactor);
        Assert.Equal(FleetTestProblems.PerSliceOptimum(problem), Plan(problem).CostPerHour.Value, 9);
    }

    [Fact]
    public void Should_equal_brute_force_and_the_per_slice_formulation_When_random_small_problems_are_solved()
    {
        // Given 60 seeded random problems (2 × 2 buckets, 2 or 3 options with prices 0.5–5 $/h, throughputs 0–20 req/s
        // with some zeros, rates 0–40 req/s, slice factor 1–3, some quotas and minimums), When solved, Then the compact
        // model's cost equals the brute force over every split and Mélange's per-slice model (or all three are infeasible).
        var random = new Random(5_2026);
        for (int n = 0; n < 60; n++)
        {
            int options = 2 + random.Next(2);
            double[][] distribution = [[random.NextDouble(), random.NextDouble()], [random.NextDouble(), random.NextDouble()]];
            double sum = distribution.Sum(r => r.Sum());
            distribution = [.. distribution.Select(r => r.Select(v => v / sum).ToArray())];
            var gpus = Enumerable.Range(0, options).Select(g => (
                Name: $"G{g}",
                Cost: Math.Round(0.5 + (4.5 * random.NextDouble()), 2),
                Tputs: new[] { Row(random), Row(random) })).ToArray();
            FleetProblem problem = FleetTestProblems.Build(distribution, Math.Round(40 * random.NextDouble(), 1), 1 + random.Next(3), gpus);
            problem = problem with
            {
                Options = [.. problem.Options.Select(o => random.Next(4) == 0 ? o with { MaxCount = random.Next(6) } : random.Next(5) == 0 ? o with { MinCount = 1 } : o)],
            };

            double brute = FleetTestProblems.BruteForceOptimum(problem);
            FleetPlan plan = Plan(problem);
            if (double.IsPositiveInfinity(brute))
            {
                Assert.Equal(FleetStatus.Infeasible, plan.Status);
                Assert.NotEmpty(plan.Reason);
                continue;
            }

            Assert.Equal(FleetStatus.Optimal, plan.Status);
            Assert.Equal(brute, plan.CostPerHour.Value, 6);
            Assert.Equal(brute, FleetTestProblems.PerSliceOptimum(problem), 6);
        }

        static double[] Row(Random random) => [.. Enumerable.Range(0, 2).Select(_ => random.Next(5) == 0 ? 0 : Math.Round(20 * random.NextDouble(), 2))];
    }

    [Fact]
    public void Should_not_grow_with_the_slice_factor_When_the_compact_model_is_built()
    {
        // Given 2 options × 4 buckets, Then the compact model has 2 + 8 variables and 4 + 2 rows at any slice factor
        // (Mélange's has 2 + 8·F binaries).
        foreach (int f in new[] { 1, 8, 64 })
        {
            var (model, _, _) = FleetPlanner.BuildModel(FleetTestProblems.MelangeExample(sliceFactor: f));
            Assert.Equal((10, 6), (model.Variables.Count, model.Constraints.Count));
        }
    }
}
