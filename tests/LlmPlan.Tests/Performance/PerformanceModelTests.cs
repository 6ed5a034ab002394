using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Performance;

public class PerformanceModelTests
{
    // From StageTimeModelTests: llama-3.1-8b on the round GPU, decode at batch 1 and mean context 1024 = 15.143534592 ms;
    // prefill of 1000 tokens = 143.263793152 ms.
    private const double Decode = 0.015143534592;
    private const double Prefill = 0.143263793152;

    [Fact]
    public void Should_predict_the_single_request_timeline_When_concurrency_is_one()
    {
        // Given S = 1000, O = 48 and one request in flight: the prefill yields token 1, decode steps yield tokens 2..48
        // reading 1001..1047 tokens of KV (mean context 1000 + 48/2 = 1024).
        // TTFT = prefill (the step overhead is 0); the other 47 tokens take one decode step each (TPOT = decode);
        // a request lives 47·D + P, so output tokens/s = 48 / (47·D + P).
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        Evaluation e = PerformanceModel.Evaluate(d, new Workload(1000, 48, 1));
        Assert.True(e.Feasible, e.Reason);
        Assert.Equal(Prefill, e.TimeToFirstToken.Value, 12);
        Assert.Equal(Decode, e.TimePerOutputToken.Value, 12);
        Assert.Equal(48 / ((47 * Decode) + Prefill), e.OutputTokensPerSecond.Value, 9);
        Assert.Equal(1048 / ((47 * Decode) + Prefill), e.TotalTokensPerSecond.Value, 9);
        Assert.Equal(1 / ((47 * Decode) + Prefill), e.RequestsPerSecond, 12);
    }

    [Fact]
    public void Should_spread_other_prompts_over_tpot_When_several_requests_run()
    {
        // Given 4 requests in flight, each decode step D4 serves all 4; a cycle is 47·D4 + D4 + 4·P,
        // TTFT = P + D4 (its prefill shares a step with the others) and TPOT = (cycle − TTFT)/47 = D4 + 3·P/47.
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        Evaluation e = PerformanceModel.Evaluate(d, new Workload(1000, 48, 4));
        double d4 = StageTimeModel.DecodeStep(d, 0, 4, 1024).Total.Value;
        Assert.Equal(Prefill + d4, e.TimeToFirstToken.Value, 12);
        Assert.Equal(d4 + (3 * Prefill / 47), e.TimePerOutputToken.Value, 12);
        Assert.Equal(4 * 48 / ((48 * d4) + (4 * Prefill)), e.OutputTokensPerSecond.Value, 9);
    }


    [Fact]
    public void Should_add_the_step_and_per_sequence_overheads_When_the_gpu_has_them()
    {
        // Given a GPU with o = 2 ms and o_s = 50 µs, and 4 requests in flight: each decode step of all 4 pays
        // o + 4·o_s = 2.2 ms on top of its kernels, so D4' = D4 + 2.2 ms, TTFT = P + D4' and TPOT = D4' + 3·P/47
        GpuSpec gpu = TestHardware.RoundGpu() with
        {
            Calibration = new GpuCalibration(1, 1, Seconds.FromMilliseconds(2), Seconds.Zero, "test") { SequenceOverhead = Seconds.FromMicroseconds(50) },
        };
        Deployment d = TestHardware.Uniform("llama-3.1-8b", gpu, 1, 1);
        Evaluation e = PerformanceModel.Evaluate(d, new Workload(1000, 48, 4));
        double d4 = StageTimeModel.DecodeStep(d, 0, 4, 1024).Total.Value + 0.0022;
        Assert.Equal(d4, e.DecodeStepTime.Value, 12);
        Assert.Equal(Prefill + d4, e.TimeToFirstToken.Value, 12);
        Assert.Equal(d4 + (3 * Prefill / 47), e.TimePerOutputToken.Value, 12);

        // And one request alone pays o + o_s = 2.05 ms in each step, its prefill step included
        Evaluation alone = PerformanceModel.Evaluate(d, new Workload(1000, 48, 1));
        Assert.Equal(Prefill + 0.00205, alone.TimeToFirstToken.Value, 12);
        Assert.Equal(Decode + 0.00205, alone.TimePerOutputToken.Value, 12);
    }
    [Fact]
    public void Should_be_set_by_the_slowest_stage_When_the_pipeline_is_full()
    {
        // Given PP 2 with 8 sequences: 2 micro-batches of 4; the decode step of the batch is
        // max(2 × slowest stage or link, stage 1 + transfer + stage 2): with equal stages and a fast link, 2 × slowest.
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 2);
        Evaluation e = PerformanceModel.Evaluate(d, new Workload(1000, 48, 8));
        double s1 = StageTimeModel.DecodeStep(d, 0, 4, 1024).Total.Value;
        double s2 = StageTimeModel.DecodeStep(d, 1, 4, 1024).Total.Value;
        double transfer = StageTimeModel.StageTransfer(d, 0, 4).Value;
        Assert.Equal(Math.Max(2 * Math.Max(Math.Max(s1, s2), transfer), s1 + transfer + s2), e.DecodeStepTime.Value, 12);
        Assert.Equal(2 * Math.Max(s1, s2), e.DecodeStepTime.Value, 12);
    }

    [Fact]
    public void Should_be_set_by_the_link_When_the_link_is_slower_than_every_stage()
    {
        // Given PP 2 with 8 sequences over a 1 MB/s link: a micro-batch of 4 tokens carries 4 · 4096 · 2 B = 32,768 B,
        // 32.768 ms on the link, far more than either stage; the link carries both micro-batches every step, so the step
        // is max(2 × 32.768 ms, stage 1 + link + stage 2).
        Deployment fast = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 2);
        Deployment d = fast with { StageLinks = [BytesPerSecond.FromGigabytesPerSecond(0.001)] };
        Evaluation e = PerformanceModel.Evaluate(d, new Workload(1000, 48, 8));
        double s1 = StageTimeModel.DecodeStep(d, 0, 4, 1024).Total.Value;
        double s2 = StageTimeModel.DecodeStep(d, 1, 4, 1024).Total.Value;
        Assert.Equal(0.032768, StageTimeModel.StageTransfer(d, 0, 4).Value, 15);
        Assert.Equal(Math.Max(2 * 0.032768, s1 + 0.032768 + s2), e.DecodeStepTime.Value, 12);
        Assert.True(e.DecodeStepTime > PerformanceModel.Evaluate(fast, new Workload(1000, 48, 8)).DecodeStepTime);
    }

    [Fact]
    public void Should_be_the_sum_of_stages_When_one_sequence_runs_on_a_pipeline()
    {
        // Given PP 2 and one sequence: no overlap, the step is stage 1 + transfer of 1 token + stage 2.
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 2);
        Evaluation e = PerformanceModel.Evaluate(d, new Workload(1000, 48, 1));
        double sum = StageTimeModel.DecodeStep(d, 0, 1, 1024).Total.Value + StageTimeModel.StageTransfer(d, 0, 1).Value
            + StageTimeModel.DecodeStep(d, 1, 1, 1024).Total.Value;
        Assert.Equal(sum, e.DecodeStepTime.Value, 12);
        // The transfer is 4096 · 2 B over NVLink's 100 GB/s per direction.
        Assert.Equal(8192 / 100e9, StageTimeModel.StageTransfer(d, 0, 1).Value, 15);
    }

    [Fact]
    public void Should_queue_the_excess_When_concurrency_exceeds_the_engine_cap()
    {
        // Given 6 clients and an engine cap of 4: the engine runs 4; 2 wait 2 / X seconds (Little's law) before their
        // prefill, where X is the request rate of 4 running sequences; throughput is that of 4.
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        var engine = EngineSettings.Default with { MaxSequences = 4 };
        Evaluation four = PerformanceModel.Evaluate(d, new Workload(1000, 48, 4), engine);
        Evaluation six = PerformanceModel.Evaluate(d, new Workload(1000, 48, 6), engine);
        Assert.Equal(4, six.Concurrency);
        Assert.Equal(2, six.QueuedRequests);
        Assert.Equal(four.OutputTokensPerSecond, six.OutputTokensPerSecond);
        Assert.Equal(four.TimePerOutputToken, six.TimePerOutputToken);
        Assert.Equal(four.TimeToFirstToken.Value + (2 / four.RequestsPerSecond), six.TimeToFirstToken.Value, 12);
    }

    [Fact]
    public void Should_refuse_a_tp_degree_that_splits_heads_unevenly_When_evaluated()
    {
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 3, 1);
        Evaluation e = PerformanceModel.Evaluate(d, new Workload(100, 10, 1));
        Assert.False(e.Feasible);
        Assert.Equal("stage 1 (layers 1-32 on ROUND TP 3): TP 3 does not divide the 32 attention heads of llama-3.1-8b; use a TP degree that divides it.", e.Reason);
    }

    [Fact]
    public void Should_refuse_a_sequence_longer_than_the_context_When_evaluated()
    {
        Deployment d = TestHardware.Uniform("opt-1.3b", TestHardware.RoundGpu(), 1, 1);
        Evaluation e = PerformanceModel.Evaluate(d, new Workload(2000, 100, 1));
        Assert.False(e.Feasible);
        Assert.Equal("opt-1.3b: a sequence of 2000 + 100 = 2100 tokens exceeds the model's context of 2048 tokens by 52.", e.Reason);
    }

    [Fact]
    public void Should_keep_invariants_When_random_deployments_are_evaluated()
    {
        // Given 300 seeded random deployments of catalog models on catalog GPUs, Then: feasible ones keep the KV cache
        // within its pool, TPOT is at least the bare decode step, output ≤ total tokens/s, concurrency ≤ max; evaluating
        // twice gives the same result; more memory bandwidth never makes the decode step slower.
        var random = new Random(20261122);
        HardwareCatalog catalog = TestHardware.Catalog;
        int feasible = 0;
        for (int i = 0; i < 300; i++)
        {
            ModelArchitecture model = catalog.Models[random.Next(catalog.Models.Count)];
            GpuSpec gpu = catalog.Gpus[random.Next(catalog.Gpus.Count)];
            int tp = 1 << random.Next(4);
            int pp = 1 + random.Next(4);
            Precision weights = PrecisionFacts.All[random.Next(PrecisionFacts.All.Count)];
            var (deployment, _) = UniformLayout.Build(model, Hardware.ForGpu(gpu, catalog, null), tp, pp, weights, Precision.Bf16);
            var workload = new Workload(1 + random.Next(4000), 1 + random.Next(1000), random.Next(3) == 0 ? null : 1 + random.Next(300));
            Evaluation e = PerformanceModel.Evaluate(deployment!, workload);
            Assert.Equal(e, PerformanceModel.Evaluate(deployment!, workload) with { Stages = e.Stages });
            if (!e.Feasible)
            {
                Assert.NotEmpty(e.Reason);
                continue;
            }

            feasible++;
            Assert.All(e.Stages, s => Assert.True(s.Memory.KvCacheUsed <= s.Memory.KvCachePool));
            Assert.True(e.TimePerOutputToken.Value >= e.DecodeStepTime.Value * (1 - 1e-12));
            Assert.True(e.OutputTokensPerSecond <= e.TotalTokensPerSecond);
            Assert.InRange(e.Concurrency, 1, e.MaxConcurrency);
            Assert.Equal(workload.Concurrency ?? e.Concurrency, e.Concurrency + e.QueuedRequests);

            GpuSpec faster = gpu with { MemoryBandwidth = gpu.MemoryBandwidth * 1.5 };
            var (quicker, _) = UniformLayout.Build(model, Hardware.ForGpu(faster, catalog, null), tp, pp, weights, Precision.Bf16);
            Assert.True(PerformanceModel.Evaluate(quicker!, workload).DecodeStepTime <= e.DecodeStepTime);
        }

        Assert.InRange(feasible, 30, 300);
    }
}
