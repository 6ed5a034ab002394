using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.IO.Placement;
using LlmPlan.Planning.Placement;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.IO.Placement;

public class PlacementSpecFileTests
{
    [Fact]
    public void Should_read_every_field_When_the_spec_sets_them_all()
    {
        // Given a spec with every section
        using var folder = new TempFolder();
        string path = folder.Write("spec.yaml", """
            model: llama-3.1-70b
            precision: fp8
            kv_precision: fp8
            workload: {input_tokens: 4096, output_tokens: 256, concurrency: 64}
            pool:
              - {instance: p4d.24xlarge, count: 2, cost_per_hour: 30}
              - {instance: g6e.48xlarge}
            network: {intra_gb_per_s: 300, inter_gb_per_s: 12.5}
            engine: {max_sequences: 128, gpu_memory_utilization: 0.85, max_batched_tokens: 4096}
            objective: weighted
            priority: cost_first
            tp_degrees: [2, 4, 8]
            batch_sizes: [64, 32]
            limits:
              max_stages: 4
              min_layers_per_stage: 5
              min_memory_utilization: 0.2
              max_cost_per_hour: 100
              max_cost_per_million_tokens: 5
              token_volume: 1000000000
              max_total_cost: 2000
              max_runtime_hours: 24
              ttft_ms: 2000
              tpot_ms: 100
              target_tokens_per_s: 50000
              max_replicas: 3
            """);

        // When it is read
        PlacementSpec spec = PlacementSpecFile.Read(path, TestHardware.Catalog);
        PlacementProblem p = spec.Problem;

        // Then each value lands in the problem, with the engine cap set to the smallest batch size
        Assert.Equal("llama-3.1-70b", p.Model.Id);
        Assert.Equal((Precision.Fp8, Precision.Fp8), (p.Weights, p.KvCache));
        Assert.Equal(new LlmPlan.Performance.Workload(4096, 256, 64), p.Workload);
        Assert.Equal([("p4d.24xlarge", 2, 30.0), ("g6e.48xlarge", 1, TestHardware.Catalog.FindInstance("g6e.48xlarge")!.PricePerInstance.Value)], p.Pool.Entries.Select(e => (e.Instance.Name, e.Count, e.Instance.PricePerInstance.Value)));
        Assert.Equal(300e9, p.Network.Intra(p.Pool.Entries[0].Instance).Value, 6);
        Assert.Equal(12.5e9, p.Network.Between(p.Pool.Entries[0].Instance, p.Pool.Entries[1].Instance).Value, 6);
        Assert.Equal((32, 0.85, 4096), (p.Engine.MaxSequences, p.Engine.GpuMemoryUtilization, p.Engine.MaxBatchedTokens));
        Assert.Equal((PlacementObjective.Weighted, 0.9), (p.Objective, p.CostWeight));
        Assert.Equal([2, 4, 8], p.TensorParallelDegrees);
        Assert.Equal([32, 64], spec.BatchSizes);
        PlacementConstraints l = p.Constraints;
        Assert.Equal((4, 5, 0.2), (l.MaxStages, l.MinLayersPerStage, l.MinMemoryUtilization));
        Assert.Equal((100.0, 5.0, 1e9, 2000.0, 24.0), (l.MaxCostPerHour!.Value.Value, l.MaxCostPerMillionTokens!.Value.Value, l.TokenVolume!.Value.Value, l.MaxTotalCost!.Value.Value, l.MaxRuntime!.Value.Hours));
        Assert.Equal((2.0, 0.1, 50000.0, 3), (l.MaxTimeToFirstToken!.Value.Value, l.MaxTimePerOutputToken!.Value.Value, l.TargetTokensPerSecond!.Value.Value, l.MaxReplicas!.Value));
    }

    [Fact]
    public void Should_report_inconsistent_limits_When_they_refer_to_what_is_missing()
    {
        // Given a runtime limit without a token volume, two targets, and a cost weight without the weighted objective
        using var folder = new TempFolder();
        string path = folder.Write("spec.yaml", """
            model: llama-3.1-8b
            workload: {input_tokens: 100, output_tokens: 10}
            pool: [{instance: g6.12xlarge}]
            cost_weight: 0.5
            tp_degrees: [3]
            limits: {max_runtime_hours: 2, target_tokens_per_s: 10, target_requests_per_s: 1}
            """);

        // When it is read
        var e = Assert.Throws<LlmPlan.Validation.InputValidationException>(() => PlacementSpecFile.Read(path, TestHardware.Catalog));

        // Then each problem is named
        Assert.Equal(
            [
                "spec.yaml line 4, field 'cost_weight': only the weighted objective uses a cost weight; add 'objective: weighted' or drop it.",
                "spec.yaml line 5, field 'tp_degrees[0]': 3 is not a power of two; TP degrees are 1, 2, 4, 8, 16 …",
                "spec.yaml line 6, field 'limits': 'max_total_cost' and 'max_runtime_hours' refer to a job: add 'token_volume' (its prompt plus generated tokens).",
                "spec.yaml line 6, field 'limits': give either 'target_tokens_per_s' or 'target_requests_per_s', not both.",
            ],
            e.Errors.Select(x => $"{x.Location}: {x.Message}"));
    }

    [Fact]
    public void Should_take_the_slowest_pair_per_type_When_a_network_matrix_is_given()
    {
        // Given two machines of one 2-GPU type and one 1-GPU machine: inside the first 300, inside the second 200,
        // between the two 2-GPU machines 50 and 40, to the single machine 10 (one pair 5)
        CloudInstance two = TestHardware.Catalog.FindInstance("g6.12xlarge")! with { Name = "two", GpuCount = 2 };
        CloudInstance one = TestHardware.Catalog.FindInstance("g6.12xlarge")! with { Name = "one", GpuCount = 1 };
        var pool = new InstancePool([new PoolEntry(two, 2), new PoolEntry(one, 1)]);
        double[,] gbps =
        {
            { 1e4, 300, 50, 50, 10 },
            { 300, 1e4, 50, 40, 10 },
            { 50, 50, 1e4, 200, 5 },
            { 50, 40, 200, 1e4, 10 },
            { 10, 10, 10, 10, 1e4 },
        };
        var matrix = new NetworkMatrix(5, [.. Enumerable.Range(0, 25).Select(i => BytesPerSecond.FromGigabytesPerSecond(gbps[i / 5, i % 5]))]);

        // When it is read per type
        var network = ClusterNetwork.FromMatrix(matrix, pool);

        // Then each figure is the slowest pair, in both directions
        Assert.Equal(200e9, network.Intra(two).Value, 3);
        Assert.Equal(40e9, network.Between(two, two).Value, 3);
        Assert.Equal(5e9, network.Between(two, one).Value, 3);
        Assert.Equal(5e9, network.Between(one, two).Value, 3);
        Assert.Equal(one.IntraInstanceBandwidth, network.Intra(one));
    }

    [Theory]
    [InlineData(32, 256, new[] { 32, 64, 128, 256 })]
    [InlineData(32, 200, new[] { 32, 64, 128, 200 })]
    [InlineData(16, 16, new[] { 16 })]
    public void Should_double_up_to_the_largest_When_batch_options_are_listed(int min, int max, int[] expected)
    {
        // Given the seed's batch range; When the options are listed; Then they double and end at max
        Assert.Equal(expected, PlacementBatchSweep.Doubling(min, max));
    }
}
