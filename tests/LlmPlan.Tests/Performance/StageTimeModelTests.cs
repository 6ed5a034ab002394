using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Performance;

/// <summary>The time model on the round-number GPU (100 TFLOP/s, 1000 GB/s, efficiencies 1, no overheads).</summary>
public class StageTimeModelTests
{
    // llama-3.1-8b per layer: weights read (attention 41,943,040 + MLP 176,160,768) · 2 B = 436,207,616 B;
    // active parameters 218,112,000 (norms included) → 2 FLOP each per token; KV 4096 B per token per layer.
    private const double LayerWeightBytes = 436_207_616;
    private const double LayerFlopsPerToken = 2 * 218_112_000.0;
    private const double LmHeadBytes = 525_336_576 * 2.0;

    [Fact]
    public void Should_be_memory_bound_When_decoding_one_sequence()
    {
        // Given batch 1 with a mean context of 1024 tokens on one GPU:
        // matrix products: max(436,224,000 / 1e14, 436,207,616 / 1e12) = 4.36207616e-4 s (memory);
        // attention: max(4·1024·32·128 / 1e14, 1024·4096 / 1e12) = 4.194304e-6 s; × 32 layers;
        // LM head: max(2·525,336,576 / 1e14, 1,050,673,152 / 1e12) = 1.050673152e-3 s.
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        var (total, tensorParallel, bound) = StageTimeModel.DecodeStep(d, 0, 1, 1024);
        double expected = (32 * ((LayerWeightBytes / 1e12) + (1024 * 4096 / 1e12))) + (LmHeadBytes / 1e12);
        Assert.Equal(expected, total.Value, 15);
        Assert.Equal(0.015143534592, total.Value, 12);
        Assert.Equal(Seconds.Zero, tensorParallel);
        Assert.Equal(Bound.Memory, bound);
    }

    [Fact]
    public void Should_be_compute_bound_When_prefilling_a_long_prompt()
    {
        // Given a 1000-token prompt: matrix products 1000 · 436,224,000 / 1e14 = 4.36224e-3 s per layer (compute);
        // attention max(2·1000²·32·128 / 1e14, 1000·4096 / 1e12) = 8.192e-5 s; LM head for the last token only.
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        double expected = (32 * ((1000 * LayerFlopsPerToken / 1e14) + (2.0 * 1000 * 1000 * 32 * 128 / 1e14))) + (LmHeadBytes / 1e12);
        Assert.Equal(expected, StageTimeModel.Prefill(d, 0, 1000).Value, 15);
        Assert.Equal(0.143263793152, expected, 12);
    }

    [Fact]
    public void Should_add_two_ring_all_reduces_per_layer_When_tensor_parallel()
    {
        // Given TP 2 over a 100 GB/s link (NVLink 200 total) and batch 8: each all-reduce moves 2·(2−1)/2 · 8·4096·2 B
        // = 65,536 B → 6.5536e-7 s; two per layer × 32 layers = 4.194304e-5 s (collective latency 0 here).
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 2, 1);
        var (_, tensorParallel, _) = StageTimeModel.DecodeStep(d, 0, 8, 1024);
        Assert.Equal(32 * 2 * (65_536 / 100e9), tensorParallel.Value, 15);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Should_pay_the_step_latency_per_ring_step_When_the_gpu_has_one(int t)
    {
        // Given a TP t group with 10 µs per collective step: each of the 64 all-reduces takes 2(t − 1) steps, each
        // sending 1/t of the 65,536-byte message at 100 GB/s.
        GpuSpec gpu = TestHardware.RoundGpu() with { Calibration = new GpuCalibration(1, 1, Seconds.Zero, Seconds.FromMicroseconds(10), "test") };
        Deployment d = TestHardware.Uniform("llama-3.1-8b", gpu, t, 1);
        var (_, tensorParallel, _) = StageTimeModel.DecodeStep(d, 0, 8, 1024);
        double steps = 2 * (t - 1);
        Assert.Equal(32 * 2 * steps * ((65_536.0 / t / 100e9) + 10e-6), tensorParallel.Value, 15);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 2)]
    public void Should_equal_the_decode_and_prefill_layers_When_a_mixed_step_holds_only_one_kind(int tp, int batch)
    {
        // Given the round GPU at TP 1 and 4: a mixed step with no chunk is a decode layer at the same mean context, and
        // one whole prompt with nothing to decode is a prefill layer of that prompt (k·(0 + k/2) = S²/2 pairs).
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), tp, 1);
        LayerTime decode = StageTimeModel.DecodeLayer(d, 0, batch, 1500);
        LayerTime mixedDecode = StageTimeModel.MixedLayer(d, 0, new MixedBatch(batch, batch * 1500.0, 0, 0, 0));
        Assert.Equal(decode.Total.Value, mixedDecode.Total.Value, 15);
        Assert.Equal((decode.TensorParallel, decode.Bound), (mixedDecode.TensorParallel, mixedDecode.Bound));
        LayerTime prefill = StageTimeModel.PrefillLayer(d, 0, 1, 3000);
        LayerTime mixedPrefill = StageTimeModel.MixedLayer(d, 0, new MixedBatch(0, 0, 3000, 3000 * 1500.0, 0));
        Assert.Equal(prefill.Total.Value, mixedPrefill.Total.Value, 15);
        Assert.Equal((prefill.TensorParallel, prefill.Bound), (mixedPrefill.TensorParallel, mixedPrefill.Bound));
    }

    [Fact]
    public void Should_add_the_chunk_to_the_decode_When_a_step_holds_both()
    {
        // Given 8 sequences at context 1024 and a 2048-token chunk after 1000 prompt tokens:
        // matrix products over 8 + 2048 tokens: 2056 · 436,224,000 / 1e14 = 8.96876544e-3 s (compute);
        // attention: pairs 8·1024 + 2048·(1000 + 1024) = 4,153,344 → 4 · 32 · 128 · 4,153,344 / 1e14 = 6.80479...e-4 s
        // against KV (8·1024 + 1000 + 2048) · 4096 B / 1e12 = 4.604e-5 s.
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        LayerTime layer = StageTimeModel.MixedLayer(d, 0, new MixedBatch(8, 8 * 1024, 2048, 2048 * (1000 + 1024.0), 1000));
        double expected = (2056 * LayerFlopsPerToken / 1e14) + (4.0 * 32 * 128 * ((8 * 1024) + (2048 * 2024.0)) / 1e14);
        Assert.Equal(expected, layer.Total.Value, 15);
        Assert.Equal(Bound.Compute, layer.Bound);
    }

    [Theory]
    [InlineData(1, 2.0)] // one token picks 2 experts
    [InlineData(2, 3.75)] // 8·(1 − (3/4)²) = 3.5 → at least... 8·(1 − 0.5625) = 3.5
    [InlineData(1000, 8.0)] // every expert
    public void Should_touch_more_experts_When_more_tokens_are_in_the_step(int tokens, double expected)
    {
        // Given mixtral (8 experts, 2 active), the expected distinct experts are 8·(1 − (1 − 2/8)^tokens), at least 2.
        double touched = StageTimeModel.TouchedExperts(TestHardware.Model("mixtral-8x7b"), tokens);
        double formula = Math.Max(2, 8 * (1 - Math.Pow(0.75, tokens)));
        Assert.Equal(formula, touched, 12);
        Assert.Equal(tokens == 2 ? 3.5 : expected, touched, 9);
    }

    [Fact]
    public void Should_touch_one_block_When_the_model_is_dense()
    {
        Assert.Equal(1.0, StageTimeModel.TouchedExperts(TestHardware.Model("llama-3.1-8b"), 64));
    }
}
