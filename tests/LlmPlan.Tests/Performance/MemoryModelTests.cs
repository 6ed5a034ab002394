using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Performance;

public class MemoryModelTests
{
    [Theory]
    [InlineData(1, Precision.Bf16, 4096)] // 2 · 8 heads · 128 · 2 B
    [InlineData(4, Precision.Bf16, 1024)] // 2 · 2 · 128 · 2
    [InlineData(8, Precision.Fp8, 256)] // 2 · 1 · 128 · 1
    [InlineData(16, Precision.Bf16, 512)] // t > k: each GPU keeps one replicated head, 2 · 1 · 128 · 2
    public void Should_store_grouped_query_kv_per_gpu_When_tensor_parallel(int tp, Precision kv, double bytes)
    {
        // Given llama-3.1-70b with 8 KV heads of 128, When its KV per token per layer is sized on one GPU, Then:
        Assert.Equal(bytes, MemoryModel.KvBytesPerTokenPerLayer(TestHardware.Model("llama-3.1-70b"), kv, tp).Value);
    }

    [Fact]
    public void Should_hold_every_weight_once_When_the_model_is_on_one_gpu()
    {
        // Given llama-3.1-8b in bf16 on one GPU, Then its weights are 8,030,257,152 parameters × 2 B.
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        Assert.Equal(16_060_514_304.0, MemoryModel.WeightsPerGpu(d, 0).Value);
    }

    [Fact]
    public void Should_put_the_embedding_first_and_the_lm_head_last_When_pipelined()
    {
        // Given llama-3.1-8b bf16 split in 2 stages of 16 layers on TP 2: each stage holds 16·218,112,000·2/2 bytes of
        // layers; stage 1 adds the embedding 525,336,576·2/2, stage 2 the LM head (the same size).
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 2, 2);
        double layers = 16 * 218_112_000.0;
        Assert.Equal(layers + 525_336_576, MemoryModel.WeightsPerGpu(d, 0).Value);
        Assert.Equal(layers + 525_336_576, MemoryModel.WeightsPerGpu(d, 1).Value);
    }

    [Fact]
    public void Should_keep_a_tied_head_once_When_one_stage_holds_both_ends()
    {
        // Given llama-3.2-1b (tied, V 128256, d 2048) on one stage, the head shares the embedding: 1 copy; on two stages
        // the last stage needs its own copy.
        Deployment one = TestHardware.Uniform("llama-3.2-1b", TestHardware.RoundGpu(), 1, 1);
        Deployment two = TestHardware.Uniform("llama-3.2-1b", TestHardware.RoundGpu(), 1, 2);
        ModelArchitecture m = one.Model;
        double embedding = 128256.0 * 2048 * 2;
        Assert.Equal((16.0 * m.ParametersPerLayer * 2) + embedding, MemoryModel.WeightsPerGpu(one, 0).Value);
        Assert.Equal((8.0 * m.ParametersPerLayer * 2) + embedding, MemoryModel.WeightsPerGpu(two, 1).Value);
    }

    [Fact]
    public void Should_size_the_workspace_from_the_step_tokens_When_activations_are_computed()
    {
        // Given llama-3.1-8b TP 1 single stage and 8192 step tokens: per token 2·4096 (hidden) + (32 + 16)·128 (QKV)
        // + 2·14336 (gate, up) = 8192 + 6144 + 28672 = 43,008 values × 2 B; logits 256 sequences × 128256 × 4 B; plus 1 GiB reserve.
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        double expected = (8192.0 * 43_008 * 2) + (256.0 * 128256 * 4) + 1073741824.0;
        Assert.Equal(expected, MemoryModel.ActivationsPerGpu(d, 0, EngineSettings.Default).Value);
    }

    [Fact]
    public void Should_fit_exactly_k_sequences_When_memory_is_sized_for_k_and_not_one_byte_more()
    {
        // Given llama-3.1-8b on one GPU whose usable memory is exactly weights + workspace + 10 sequences of 2048 tokens
        // (KV 32 layers · 4096 B per token · 2048), When evaluated at max, Then 10 fit; with 64 bytes less, 9 fit.
        Deployment probe = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        double fixedBytes = MemoryModel.WeightsPerGpu(probe, 0).Value + MemoryModel.ActivationsPerGpu(probe, 0, EngineSettings.Default).Value;
        double sequence = 32.0 * 4096 * 2048;
        double exact = (fixedBytes + (10 * sequence)) / 0.9;

        int Fits(double memoryBytes)
        {
            Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(memoryBytes / Bytes.BytesPerGibibyte), 1, 1);
            return PerformanceModel.Evaluate(d, new Workload(1024, 1024, null)).MaxConcurrency;
        }

        Assert.Equal(10, Fits(exact + 1));
        Assert.Equal(9, Fits(exact - 64));
    }

    [Fact]
    public void Should_queue_the_excess_When_the_requested_concurrency_is_one_sequence_over_the_kv_cache()
    {
        // Given a deployment where 10 sequences of 2048 tokens fit, When 10 are asked, Then all 10 run; When 11 are
        // asked, Then 10 run and 1 waits in the queue holding no KV cache (the scheduler admits only what fits).
        Deployment probe = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        double fixedBytes = MemoryModel.WeightsPerGpu(probe, 0).Value + MemoryModel.ActivationsPerGpu(probe, 0, EngineSettings.Default).Value;
        double memory = ((fixedBytes + (10 * 32.0 * 4096 * 2048)) / 0.9) + 1;
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(memory / Bytes.BytesPerGibibyte), 1, 1);

        Evaluation ten = PerformanceModel.Evaluate(d, new Workload(1024, 1024, 10));
        Assert.True(ten.Feasible, ten.Reason);
        Assert.Equal((10, 0), (ten.Concurrency, ten.QueuedRequests));

        Evaluation over = PerformanceModel.Evaluate(d, new Workload(1024, 1024, 11));
        Assert.True(over.Feasible, over.Reason);
        Assert.Equal((10, 1), (over.Concurrency, over.QueuedRequests));
        Assert.Equal(10 * 32.0 * 4096 * 2048, over.Stages[0].Memory.KvCacheUsed.Value);
        Assert.Equal(ten.OutputTokensPerSecond, over.OutputTokensPerSecond);
    }

    [Fact]
    public void Should_be_infeasible_with_the_sizes_When_one_sequence_is_one_block_over_the_kv_cache()
    {
        // Given a GPU with room for exactly one sequence of 2048 tokens (128 blocks of 16), When the sequence grows by one
        // token, Then it needs 129 blocks (2064 tokens · 32 layers · 4096 B = 0.252 GiB) and no sequence fits.
        Deployment probe = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        double fixedBytes = MemoryModel.WeightsPerGpu(probe, 0).Value + MemoryModel.ActivationsPerGpu(probe, 0, EngineSettings.Default).Value;
        double memory = ((fixedBytes + (32.0 * 4096 * 2048)) / 0.9) + 1;
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(memory / Bytes.BytesPerGibibyte), 1, 1);

        Assert.True(PerformanceModel.Evaluate(d, new Workload(1024, 1024, 1)).Feasible);
        Evaluation over = PerformanceModel.Evaluate(d, new Workload(1024, 1025, 1));
        Assert.False(over.Feasible);
        Assert.Equal(
            "stage 1 (layers 1-32 on ROUND TP 1): the KV cache of one sequence of 2049 tokens needs 0.252 GiB per GPU but only 0.250 GiB is left after weights and activations.",
            over.Reason);
    }

    [Fact]
    public void Should_explain_with_the_breakdown_When_the_weights_do_not_fit()
    {
        // Given llama-3.1-70b fp16 on one 80 GiB GPU, When evaluated, Then it is infeasible: 141 GB of weights > 72 GiB.
        Deployment d = TestHardware.Uniform("llama-3.1-70b", TestHardware.Catalog.FindGpu("H100-SXM-80GB")!, 1, 1, Precision.Fp16, Precision.Fp16);
        Evaluation e = PerformanceModel.Evaluate(d, new Workload(2048, 512, null));
        Assert.False(e.Feasible);
        Assert.Equal(
            "stage 1 (layers 1-80 on H100-SXM-80GB TP 1): weights (131.42 GiB) and activations (2.40 GiB) need 133.82 GiB per GPU but only 72.00 GiB is usable (80 GiB × 0.90); 61.82 GiB over. Use more GPUs (higher TP or PP) or a smaller precision.",
            e.Reason);
        Assert.Equal(131.42, Math.Round(e.Stages[0].Memory.Weights.Gibibytes, 2));
        Assert.True(e.Stages[0].Memory.KvCachePool.Value < 0);
    }
}
