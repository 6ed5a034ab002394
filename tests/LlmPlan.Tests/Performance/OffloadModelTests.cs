using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Performance;

public class OffloadModelTests
{
    private static readonly OffloadSettings Exact = OffloadSettings.Default with { SafetyFactor = 1.0 };

    /// <summary>A one-GPU deployment of a catalog model on <paramref name="gpu"/> in fp16.</summary>
    private static Deployment OneGpu(string model, GpuSpec gpu) =>
        UniformLayout.Build(TestHardware.Model(model), Hardware.ForGpu(gpu, TestHardware.Catalog, null), 1, 1, Precision.Fp16, Precision.Fp16).Deployment!;

    [Fact]
    public void Should_size_the_kv_cache_by_hand_When_opt_2_7b_runs_a_batch_of_32()
    {
        // Given OPT-2.7B (32 layers, hidden 2560 = 32 KV heads × 80), fp16, batch 32 of 128 + 512 tokens
        Deployment deployment = OneGpu("opt-2.7b", TestHardware.RoundGpu(80));
        var workload = new BatchWorkload(32, 128, 512);

        // When its memory is computed with nothing offloaded
        OffloadMemory memory = OffloadModel.Memory(deployment, workload, OffloadPlacement.None, Bytes.FromGibibytes(100), Exact);

        // Then KV = 2 × 32 layers × 2560 × 640 tokens × 32 × 2 bytes = 6.71 GB, all on the GPU, nothing in host memory
        Assert.Equal(2.0 * 32 * 2560 * 640 * 32 * 2, memory.KvCache.Value);
        Assert.Equal(6_710_886_400, memory.KvCache.Value);
        Assert.Equal(memory.KvCache, memory.KvOnGpu);
        Assert.Equal(Bytes.Zero, memory.Staging);
        Assert.Equal(Bytes.Zero, memory.HostUsed);
        Assert.Equal(memory.Weights, memory.WeightsOnGpu);
    }

    [Fact]
    public void Should_count_kv_heads_not_attention_heads_When_the_model_uses_grouped_query_attention()
    {
        // Given Llama-3.1-8B: 32 layers, 8 KV heads of 128 (not 32 attention heads)
        Deployment deployment = OneGpu("llama-3.1-8b", TestHardware.RoundGpu(80));

        // When a batch of 4 × (1000 + 24) tokens is sized
        OffloadMemory memory = OffloadModel.Memory(deployment, new BatchWorkload(4, 1000, 24), OffloadPlacement.None, null, Exact);

        // Then KV = 2 × 32 × 8 × 128 × 1024 × 4 × 2 bytes
        Assert.Equal(2.0 * 32 * 8 * 128 * 1024 * 4 * 2, memory.KvCache.Value);
    }

    [Fact]
    public void Should_keep_everything_on_the_gpu_When_it_fits_exactly()
    {
        // Given a GPU whose memory is exactly what the batch needs with nothing offloaded
        var workload = new BatchWorkload(32, 1024, 128);
        Bytes needed = OffloadModel.Memory(OneGpu("opt-2.7b", TestHardware.RoundGpu(80)), workload, OffloadPlacement.None, null, Exact).GpuUsed;
        Deployment deployment = OneGpu("opt-2.7b", TestHardware.RoundGpu(needed.Gibibytes));

        // When the smallest placement is sought (host memory unknown: nothing could be offloaded anyway)
        var (placement, problem) = OffloadModel.SmallestPlacement(deployment, workload, null, Exact, allowWeights: false);

        // Then nothing is offloaded
        Assert.Equal(OffloadPlacement.None, placement);
        Assert.Equal(string.Empty, problem);
    }

    [Fact]
    public void Should_offload_three_layers_When_the_gpu_is_one_byte_short_And_four_When_three_are_one_byte_short()
    {
        // Given a GPU one byte short of the batch: offloading 1 or 2 layers frees nothing (their KV still needs two
        // double-buffered staging layers), so 3 layers is the first placement that frees memory
        var workload = new BatchWorkload(32, 1024, 128);
        Deployment sized = OneGpu("opt-2.7b", TestHardware.RoundGpu(80));
        Bytes all = OffloadModel.Memory(sized, workload, OffloadPlacement.None, null, Exact).GpuUsed;
        Bytes three = OffloadModel.Memory(sized, workload, new OffloadPlacement(3, 0), null, Exact).GpuUsed;
        Bytes layerKv = OffloadModel.Memory(sized, workload, OffloadPlacement.None, null, Exact).KvCache / 32.0;
        Assert.Equal(all.Value - layerKv.Value, three.Value, 1e-3);
        Bytes host = Bytes.FromGibibytes(100);

        // When the GPU has all − 1 byte, Then 3 layers go to host memory
        var (shortByOne, _) = OffloadModel.SmallestPlacement(OneGpu("opt-2.7b", TestHardware.RoundGpu(Bytes.FromBytes(all.Value - 1).Gibibytes)), workload, host, Exact, false);
        Assert.Equal(new OffloadPlacement(3, 0), shortByOne);

        // When it has exactly what 3 offloaded layers need, Then 3; one byte less, Then one more layer (4)
        var (exactly, _) = OffloadModel.SmallestPlacement(OneGpu("opt-2.7b", TestHardware.RoundGpu(three.Gibibytes)), workload, host, Exact, false);
        var (oneMore, _) = OffloadModel.SmallestPlacement(OneGpu("opt-2.7b", TestHardware.RoundGpu(Bytes.FromBytes(three.Value - 1).Gibibytes)), workload, host, Exact, false);
        Assert.Equal(new OffloadPlacement(3, 0), exactly);
        Assert.Equal(new OffloadPlacement(4, 0), oneMore);
    }

    [Fact]
    public void Should_say_weights_alone_do_not_fit_When_opt_30b_meets_a_16_gib_gpu()
    {
        // Given OPT-30B in fp16 (about 60 GB of weights) on a 16 GiB GPU with ample host memory
        Deployment deployment = OneGpu("opt-30b", TestHardware.RoundGpu(16));
        var workload = new BatchWorkload(8, 128, 128);

        // When weights may not be offloaded
        var (placement, problem) = OffloadModel.SmallestPlacement(deployment, workload, Bytes.FromGibibytes(208), OffloadSettings.Default, allowWeights: false);

        // Then nothing fits and the reason gives the numbers
        Assert.Null(placement);
        OffloadMemory most = OffloadModel.Memory(deployment, workload, new OffloadPlacement(48, 0), Bytes.FromGibibytes(208), OffloadSettings.Default);
        Assert.Equal(
            Invariant($"weights alone do not fit: weights ({most.WeightsOnGpu.Gibibytes:0.00} GiB) and activations ({most.Activations.Gibibytes:0.00} GiB) need {(most.WeightsOnGpu + most.Activations).Gibibytes:0.00} GiB but 14.40 GiB is usable; {(most.WeightsOnGpu + most.Activations - most.GpuUsable).Gibibytes:0.00} GiB over. Allow weight offload (--allow-weight-offload), a smaller precision or a larger GPU."),
            problem);

        // When weights may be offloaded, Then the fewest weight layers that let some KV placement fit go to host memory,
        // with the fewest KV layers for them
        var (withWeights, _) = OffloadModel.SmallestPlacement(deployment, workload, Bytes.FromGibibytes(208), OffloadSettings.Default, allowWeights: true);
        OffloadPlacement p = withWeights!.Value;
        bool Fits(int kv, int w) => OffloadModel.Memory(deployment, workload, new OffloadPlacement(kv, w), Bytes.FromGibibytes(208), OffloadSettings.Default) is { FitsGpu: true, FitsHost: true };
        Assert.True(p.WeightLayers > 0 && Fits(p.KvLayers, p.WeightLayers));
        Assert.False(p.KvLayers > 0 && Fits(p.KvLayers - 1, p.WeightLayers));
        Assert.DoesNotContain(Enumerable.Range(0, 49), kv => Fits(kv, p.WeightLayers - 1));
    }

    [Fact]
    public void Should_say_host_memory_is_too_small_When_the_offloaded_kv_exceeds_it()
    {
        // Given OPT-2.7B with 64 × 1024 + 1024 tokens on a 16 GiB GPU in a machine with 16 GiB of host memory
        Deployment deployment = OneGpu("opt-2.7b", TestHardware.RoundGpu(16));
        var workload = new BatchWorkload(64, 1024, 1024);

        // When the smallest placement is sought
        var (placement, problem) = OffloadModel.SmallestPlacement(deployment, workload, Bytes.FromGibibytes(16), OffloadSettings.Default, false);

        // Then none fits, for lack of host memory
        Assert.Null(placement);
        Assert.StartsWith("host memory too small: the GPU fits only with ", problem, StringComparison.Ordinal);
        Assert.Contains(" GiB of host memory is usable (16 GiB × 0.9); ", problem, StringComparison.Ordinal);
        Assert.EndsWith(" GiB over.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_equal_the_main_models_decode_step_When_nothing_is_offloaded()
    {
        // Given a batch with one decode step (O = 2) and nothing offloaded on a catalog GPU
        GpuSpec l4 = TestHardware.Catalog.FindGpu("L4")!;
        Deployment deployment = OneGpu("opt-1.3b", l4);
        var workload = new BatchWorkload(16, 300, 2);

        // When it is run
        OffloadRun run = OffloadModel.Run(deployment, workload, OffloadPlacement.None, null, OffloadSettings.Default);

        // Then the decode is StageTimeModel's step at context S + 1 plus the overhead of a step of 16 sequences, and no
        // transfer happens
        Seconds step = StageTimeModel.DecodeStep(deployment, 0, 16, 301).Total + l4.Calibration.Overhead(16);
        Assert.Equal(step.Value, run.Decode.Value, 12);
        Assert.Equal(0.0, run.DecodeTransfer.Value);
        Assert.Equal(0.0, run.PrefillTransfer.Value);
    }

    [Fact]
    public void Should_stream_every_offloaded_layers_kv_over_the_host_link_When_decoding()
    {
        // Given OPT-1.3B (24 layers, 2048 = 32 × 64 per token per layer) with 10 layers' KV in host memory, links 10 / 5 GB/s
        Deployment deployment = OneGpu("opt-1.3b", TestHardware.RoundGpu(80));
        var settings = OffloadSettings.Default with
        {
            HostToDevice = BytesPerSecond.FromGigabytesPerSecond(10),
            DeviceToHost = BytesPerSecond.FromGigabytesPerSecond(5),
        };
        var workload = new BatchWorkload(8, 100, 5);

        // When it runs
        OffloadRun run = OffloadModel.Run(deployment, workload, new OffloadPlacement(10, 0), Bytes.FromGibibytes(64), settings);

        // Then decode step j moves 8 × (100 + j) tokens of KV in and 8 tokens out per offloaded layer, and prefill 800 out
        double perToken = 2.0 * 2048 * 2;
        double expected = 0;
        for (int j = 1; j <= 4; j++)
        {
            expected += 10 * ((8 * (100 + j) * perToken / 10e9) + (8 * perToken / 5e9));
        }

        Assert.Equal(expected, run.DecodeTransfer.Value, 15);
        Assert.Equal(10 * 8 * 100 * perToken / 5e9, run.PrefillTransfer.Value, 15);
        Assert.Equal(10.0 / 24, run.KvOffloadFraction, 15);
    }

    [Fact]
    public void Should_never_slow_a_batch_When_the_host_link_gets_faster_Or_never_speed_it_up_When_more_is_offloaded()
    {
        // Given random models, batches, placements and link rates (seeded)
        var random = new Random(20261201);
        string[] models = ["opt-1.3b", "opt-2.7b", "opt-6.7b", "llama-3.1-8b"];
        GpuSpec[] gpus = [.. new[] { "T4", "A10G", "L4", "L40S" }.Select(id => TestHardware.Catalog.FindGpu(id)!)];
        for (int trial = 0; trial < 200; trial++)
        {
            Deployment deployment = OneGpu(models[random.Next(models.Length)], gpus[random.Next(gpus.Length)]);
            int layers = deployment.Model.Layers;
            var workload = new BatchWorkload(random.Next(1, 65), random.Next(1, 1500), random.Next(1, 300));
            var placement = new OffloadPlacement(random.Next(layers + 1), random.Next(layers + 1));
            bool overlap = random.Next(2) == 0;
            double slow = 1 + (random.NextDouble() * 20);
            double fast = slow * (1 + random.NextDouble());
            OffloadSettings At(double gbps) => OffloadSettings.Default with
            {
                Overlap = overlap,
                HostToDevice = BytesPerSecond.FromGigabytesPerSecond(gbps),
                DeviceToHost = BytesPerSecond.FromGigabytesPerSecond(gbps / 2),
            };

            // When the link is faster, Then the batch takes no longer
            Seconds slower = OffloadModel.Run(deployment, workload, placement, null, At(slow)).Total;
            Seconds faster = OffloadModel.Run(deployment, workload, placement, null, At(fast)).Total;
            Assert.True(faster.Value <= slower.Value * (1 + 1e-12), $"trial {trial}: {faster} > {slower}");

            // When one more layer's KV is offloaded, Then the batch takes no less time
            if (placement.KvLayers < layers)
            {
                Seconds more = OffloadModel.Run(deployment, workload, placement with { KvLayers = placement.KvLayers + 1 }, null, At(slow)).Total;
                Assert.True(more.Value >= slower.Value * (1 - 1e-12), $"trial {trial}: {more} < {slower}");
            }

            // When transfers are not overlapped, Then the batch takes no less time
            Seconds serial = OffloadModel.Run(deployment, workload, placement, null, At(slow) with { Overlap = false }).Total;
            Assert.True(serial.Value >= slower.Value * (1 - 1e-12), $"trial {trial}: {serial} < {slower}");
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
