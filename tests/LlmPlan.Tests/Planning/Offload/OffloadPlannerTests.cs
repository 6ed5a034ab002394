using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Planning.Offload;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Planning.Offload;

public class OffloadPlannerTests
{
    private static readonly string[] InferSaveInstances = ["g4dn.xlarge", "g5.xlarge", "g6.xlarge", "g6e.xlarge"];

    private static OffloadRequest Request(string model, int batch, int input, int output, params string[] instances) => new()
    {
        Model = TestHardware.Model(model),
        Weights = Precision.Fp16,
        KvCache = Precision.Fp16,
        BatchSize = batch,
        MaxBatchSize = batch,
        InputTokens = input,
        OutputTokens = output,
        Requests = batch,
        Machines = [.. (instances.Length == 0 ? InferSaveInstances : instances).Select(i => OffloadMachine.FromInstance(TestHardware.Catalog.FindInstance(i)!))],
    };

    [Fact]
    public void Should_pick_the_cheapest_instance_meeting_the_target_When_infersaves_online_case_is_planned()
    {
        // Given InferSave's default case: OPT-2.7B, batch 32, 128 + 512 tokens, at least 100 tokens/s
        OffloadRequest request = Request("opt-2.7b", 32, 128, 512) with { Slo = TokensPerSecond.FromTokensPerSecond(100) };

        // When planned
        OffloadPlan plan = OffloadPlanner.Plan(request);

        // Then every instance runs it without offload, all meet the target, and the cheapest job wins
        Assert.All(plan.Candidates, c => Assert.True(c.Feasible && c.MeetsSlo && c.Run!.Placement == OffloadPlacement.None));
        Assert.Equal("g4dn.xlarge", plan.Best!.Machine.Name);
        Assert.Equal(6_710_886_400, plan.KvCacheBytes.Value);
        double[] costs = [.. plan.Candidates.Select(c => c.TotalCost!.Value.Value)];
        Assert.Equal(costs.Order(), costs);
    }

    [Fact]
    public void Should_offload_the_fewest_layers_that_fit_When_infersaves_offline_case_needs_it()
    {
        // Given the offline case: batch 32 of 1024 + 128 tokens (12.08 GB of KV) on the T4 instance
        OffloadPlan plan = OffloadPlanner.Plan(Request("opt-2.7b", 32, 1024, 128, "g4dn.xlarge"));

        // When planned, Then some layers' KV goes to host memory, and one layer fewer would not fit the GPU
        OffloadRun run = plan.Best!.Run!;
        Assert.InRange(run.Placement.KvLayers, 3, 31);
        Assert.True(run.Memory.FitsGpu && run.Memory.FitsHost);
        var workload = new BatchWorkload(32, 1024, 128);
        Deployment deployment = Cluster.UniformLayout.Build(request().Model, plan.Best.Machine.Hardware, 1, 1, Precision.Fp16, Precision.Fp16).Deployment!;
        OffloadMemory fewer = OffloadModel.Memory(deployment, workload, new OffloadPlacement(run.Placement.KvLayers - 1, 0), plan.Best.Machine.HostMemory, OffloadSettings.Default);
        Assert.False(fewer.FitsGpu);
        Assert.Equal(Math.Round(12.08e9 / 1e7), Math.Round(plan.KvCacheBytes.Value / 1e7));

        static OffloadRequest request() => Request("opt-2.7b", 32, 1024, 128, "g4dn.xlarge");
    }

    [Theory]
    [InlineData(0.2, 60)]
    [InlineData(59.9, 60)]
    [InlineData(60.0, 60)]
    [InlineData(60.2, 61)]
    [InlineData(3600.5, 3601)]
    public void Should_bill_whole_seconds_with_a_one_minute_minimum_When_billed_per_second(double seconds, double billed)
    {
        Assert.Equal(billed, OffloadPlanner.Billed(Seconds.FromSeconds(seconds), Billing.PerSecond).Value);
    }

    [Theory]
    [InlineData(0.2, 1)]
    [InlineData(3600, 1)]
    [InlineData(3600.5, 2)]
    public void Should_bill_started_hours_When_billed_per_hour(double seconds, double hours)
    {
        Assert.Equal(hours, OffloadPlanner.Billed(Seconds.FromSeconds(seconds), Billing.PerHour).Hours);
    }

    [Fact]
    public void Should_run_the_remainder_as_a_smaller_batch_When_requests_are_not_a_multiple_of_the_batch()
    {
        // Given 70 requests in batches of 32 on the L4 instance
        OffloadRequest request = Request("opt-1.3b", 32, 256, 64, "g6.xlarge") with { Requests = 70 };

        // When planned
        OffloadCandidate job = OffloadPlanner.Plan(request).Best!;

        // Then the job is two batches of 32 and one of 6, and the cost is the per-second bill of that time
        OffloadRequest six = Request("opt-1.3b", 6, 256, 64, "g6.xlarge");
        Seconds expected = (job.Run!.Total * 2) + OffloadPlanner.Plan(six).Best!.Run!.Total;
        Assert.Equal(expected.Value, job.JobTime.Value, 12);
        Assert.Equal(70.0 * 64 / expected.Value, job.OutputTokensPerSecond.Value, 9);
        Assert.Equal(0.8048 * OffloadPlanner.Billed(expected, Billing.PerSecond).Hours, job.TotalCost!.Value.Value, 12);
    }

    [Fact]
    public void Should_never_cost_more_When_larger_batches_may_be_tried()
    {
        // Given 512 requests of OPT-2.7B, 1024 + 128 tokens, on the T4 and A10G instances
        OffloadRequest fixedBatch = Request("opt-2.7b", 8, 1024, 128, "g4dn.xlarge", "g5.xlarge") with { Requests = 512 };

        // When batches from 8 up to 64 may be tried
        OffloadPlan fixedPlan = OffloadPlanner.Plan(fixedBatch);
        OffloadPlan searched = OffloadPlanner.Plan(fixedBatch with { MaxBatchSize = 64 });

        // Then every machine's job costs no more than with batch 8, and some pick a larger batch
        foreach (OffloadCandidate c in searched.Candidates)
        {
            OffloadCandidate before = fixedPlan.Candidates.Single(x => x.Machine.Name == c.Machine.Name);
            Assert.True(c.TotalCost!.Value.Value <= before.TotalCost!.Value.Value, c.Machine.Name);
        }

        Assert.Contains(searched.Candidates, c => c.BatchSize > 8);
    }

    [Fact]
    public void Should_never_pick_a_cheaper_machine_When_the_target_is_raised()
    {
        // Given random jobs and pairs of targets (seeded)
        var random = new Random(7);
        string[] models = ["opt-1.3b", "opt-2.7b", "opt-6.7b"];
        for (int trial = 0; trial < 40; trial++)
        {
            OffloadRequest request = Request(models[random.Next(models.Length)], random.Next(1, 48), random.Next(16, 1024), random.Next(2, 256)) with
            {
                Tokens = random.Next(2) == 0 ? TokenCount.Output : TokenCount.Total,
            };
            double low = random.NextDouble() * 2000;
            double high = low * (1 + (random.NextDouble() * 3));

            // When planned at the lower and at the higher target
            OffloadCandidate? atLow = OffloadPlanner.Plan(request with { Slo = TokensPerSecond.FromTokensPerSecond(low) }).Best;
            OffloadCandidate? atHigh = OffloadPlanner.Plan(request with { Slo = TokensPerSecond.FromTokensPerSecond(high) }).Best;

            // Then the higher target's pick costs at least as much (or nothing meets it)
            if (atHigh is not null)
            {
                Assert.NotNull(atLow);
                Assert.True(atHigh.TotalCost!.Value.Value >= atLow.TotalCost!.Value.Value, $"trial {trial}");
            }
        }
    }

    [Fact]
    public void Should_rank_machines_missing_the_target_by_speed_And_the_infeasible_last()
    {
        // Given OPT-13B (26 GB of weights): too big for the 24 GiB instances without weight offload, at a high target
        OffloadRequest request = Request("opt-13b", 4, 256, 64) with { Slo = TokensPerSecond.FromTokensPerSecond(1e6) };

        // When planned
        OffloadPlan plan = OffloadPlanner.Plan(request);

        // Then there is no best, the L40S runs it but misses, and the three small GPUs are infeasible with a reason
        Assert.Null(plan.Best);
        Assert.Equal(["g6e.xlarge", "g4dn.xlarge", "g5.xlarge", "g6.xlarge"], plan.Candidates.Select(c => c.Machine.Name));
        Assert.False(plan.Candidates[0].MeetsSlo);
        Assert.All(plan.Candidates.Skip(1), c => Assert.StartsWith("weights alone do not fit: ", c.Problem, StringComparison.Ordinal));
    }
}
