using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Accuracy;

/// <summary>Metric semantics on the round-number GPU of docs/model.md §8 (llama-3.1-8b bf16, TP 1, S = 1000, O = 48):
/// every expected number is the worked example's hand arithmetic.</summary>
public class MeasurementPredictorTests
{
    private const double Cycle = 0.855009918976;

    private static readonly HardwareCatalog Catalog = TestHardware.Catalog with { Gpus = [.. TestHardware.Catalog.Gpus, TestHardware.RoundGpu()] };

    private static Measurement Row(MeasuredMetric metric, MeasuredLoad load, int? input = 1000, int? output = 48, int replicas = 1, string model = "llama-3.1-8b", string engine = "vllm:0.10.0", int tp = 1) => new()
    {
        Id = "r", Source = "test", Engine = engine, Model = model, Gpu = "ROUND", Precision = Precision.Bf16, TensorParallel = tp,
        PipelineParallel = 1, Replicas = replicas, InputTokens = input, OutputTokens = output, Load = load, Metric = metric, Value = 1,
    };

    private static MeasurementPrediction Predict(Measurement m, IReadOnlyDictionary<string, int>? caps = null) =>
        MeasurementPredictor.Predict(MeasurementPredictor.Prepare(m, Catalog, caps));

    private static double Predicted(Measurement m, IReadOnlyDictionary<string, int>? caps = null)
    {
        MeasurementPrediction p = Predict(m, caps);
        Assert.Equal(string.Empty, p.SkipReason);
        return p.Predicted!.Value;
    }

    [Fact]
    public void Should_predict_the_worked_examples_latencies_When_one_sequence_runs()
    {
        Assert.Equal(143.263793152, Predicted(Row(MeasuredMetric.TimeToFirstToken, MeasuredLoad.Closed(1))), 9);
        Assert.Equal(15.143534592, Predicted(Row(MeasuredMetric.TimePerOutputToken, MeasuredLoad.Closed(1))), 9);
    }

    [Fact]
    public void Should_simulate_the_requests_the_row_gives_When_its_note_names_them_whatever_the_harness()
    {
        // Given a closed-loop TTFT row of 16 clients whose benchmark sent 40 requests without warm-up, read with a
        // harness of 2 warm-up and 10 measured requests per client
        Measurement m = Row(MeasuredMetric.TimeToFirstToken, MeasuredLoad.Closed(16)) with { Requests = new ClosedLoopRequests(0, 40) };
        PreparedMeasurement p = MeasurementPredictor.Prepare(m, Catalog, null, new ClosedLoopHarness(2, 10));
        Evaluation e = PerformanceModel.Evaluate(p.Deployment!, new Workload(1000, 48, 16), p.Engine.Settings);

        // Then the TTFT is the simulation of the row's 40 requests, not of the harness's 32 + 160
        double own = ClosedLoopSimulation.Run(p.Deployment!, 1000, 48, 16, e.MaxConcurrency, p.Engine.Settings, new ClosedLoopRequests(0, 40)).TimeToFirstToken.Milliseconds;
        double harness = ClosedLoopSimulation.Run(p.Deployment!, 1000, 48, 16, e.MaxConcurrency, p.Engine.Settings, new ClosedLoopRequests(32, 160)).TimeToFirstToken.Milliseconds;
        Assert.Equal(own, MeasurementPredictor.Predict(p).Predicted!.Value, 9);
        Assert.NotEqual(harness, own, 3);
    }

    [Fact]
    public void Should_simulate_the_benchmark_When_a_closed_loop_ttft_row_runs_on_one_stage()
    {
        // Given 16 closed-loop clients of 1000 + 48 tokens on one stage
        Measurement m = Row(MeasuredMetric.TimeToFirstToken, MeasuredLoad.Closed(16));
        PreparedMeasurement p = MeasurementPredictor.Prepare(m, Catalog);
        Assert.True(MeasurementPredictor.SimulatesTimeToFirstToken(p));

        // Then its TTFT is the simulation's, at the engine's cap and KV capacity, and far above the steady state's
        Evaluation e = PerformanceModel.Evaluate(p.Deployment!, new Workload(1000, 48, 16), p.Engine.Settings);
        ClosedLoopResult run = ClosedLoopSimulation.Run(p.Deployment!, 1000, 48, 16, e.MaxConcurrency, p.Engine.Settings);
        Assert.Equal(run.TimeToFirstToken.Milliseconds, Predicted(m), 9);
        Assert.True(Predicted(m) > 2 * e.TimeToFirstToken.Milliseconds);

        // And TPOT, open loops and pipelines keep the closed-form model
        Assert.False(MeasurementPredictor.SimulatesTimeToFirstToken(MeasurementPredictor.Prepare(Row(MeasuredMetric.TimePerOutputToken, MeasuredLoad.Closed(16)), Catalog)));
        Assert.False(MeasurementPredictor.SimulatesTimeToFirstToken(MeasurementPredictor.Prepare(Row(MeasuredMetric.TimeToFirstToken, MeasuredLoad.OpenLoop(RequestsPerSecond.FromRequestsPerSecond(0.5))), Catalog)));
        Measurement pipeline = m with { PipelineParallel = 2 };
        Assert.False(MeasurementPredictor.SimulatesTimeToFirstToken(MeasurementPredictor.Prepare(pipeline, Catalog)));
        Evaluation twoStages = PerformanceModel.Evaluate(MeasurementPredictor.Prepare(pipeline, Catalog).Deployment!, new Workload(1000, 48, 16), p.Engine.Settings);
        Assert.Equal(twoStages.TimeToFirstToken.Milliseconds, Predicted(pipeline), 9);
    }

    [Fact]
    public void Should_multiply_rates_by_the_replicas_When_replicas_are_given()
    {
        // Given 3 replicas, Then each rate is 3 × one replica's N·O/T, N·(S+O)/T and N/T
        Assert.Equal(3 * 48 / Cycle, Predicted(Row(MeasuredMetric.OutputTokensPerSecond, MeasuredLoad.Closed(1), replicas: 3)), 9);
        Assert.Equal(3 * 1048 / Cycle, Predicted(Row(MeasuredMetric.TotalTokensPerSecond, MeasuredLoad.Closed(1), replicas: 3)), 9);
        Assert.Equal(3 / Cycle, Predicted(Row(MeasuredMetric.RequestsPerSecond, MeasuredLoad.Closed(1), replicas: 3)), 12);
    }

    [Fact]
    public void Should_time_one_layer_When_the_metric_is_a_layer_time()
    {
        // Decode of one sequence at a mean context of 1000 + 48/2 = 1024: GEMM 4.36207616e-4 s + attention 4.194304e-6 s
        Assert.Equal(0.44040192, Predicted(Row(MeasuredMetric.LayerDecode, MeasuredLoad.Closed(1))), 12);

        // No lengths: context 0, so only the weights are read
        Assert.Equal(0.436207616, Predicted(Row(MeasuredMetric.LayerDecode, MeasuredLoad.Closed(1), input: null, output: null)), 12);

        // Prefill of one prompt of 1000 tokens: GEMM 4.36224e-3 s + causal attention 8.192e-5 s
        Assert.Equal(4.44416, Predicted(Row(MeasuredMetric.LayerPrefill, MeasuredLoad.Closed(1), output: 0)), 12);
    }

    [Fact]
    public void Should_run_as_many_as_the_cap_or_kv_allow_When_the_load_is_max()
    {
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);

        // vLLM: 428 sequences fit, the cap of 256 binds; a cap of 100 given for vllm binds instead
        double at(int n, EngineSettings e) => PerformanceModel.Evaluate(d, new Workload(1000, 48, n), e).OutputTokensPerSecond.Value;
        Assert.Equal(at(256, EngineSettings.Default), Predicted(Row(MeasuredMetric.OutputTokensPerSecond, MeasuredLoad.Max)), 9);
        Assert.Equal(at(100, EngineSettings.Default), Predicted(Row(MeasuredMetric.OutputTokensPerSecond, MeasuredLoad.Max), new Dictionary<string, int> { ["vllm"] = 100 }), 9);

        // TensorRT-LLM (0.95 of memory, cap 2048): the KV cache binds at ⌊62,714,806,272 / 138,412,032⌋ = 453 sequences
        EngineSettings trt = EngineProfile.For("trtllm:0.17").Settings;
        Assert.Equal(453, PerformanceModel.Evaluate(d, new Workload(1000, 48, null), trt).Concurrency);
        Assert.Equal(at(453, trt), Predicted(Row(MeasuredMetric.OutputTokensPerSecond, MeasuredLoad.Max, engine: "trtllm:0.17")), 9);
    }

    [Fact]
    public void Should_see_the_latencies_of_one_sequence_When_the_offered_rate_is_below_what_one_sequence_completes()
    {
        // One sequence completes 1/T = 1.1696 requests/s; 0.5 requests/s never overlap
        MeasuredLoad load = MeasuredLoad.OpenLoop(RequestsPerSecond.FromRequestsPerSecond(0.5));
        Assert.Equal(143.263793152, Predicted(Row(MeasuredMetric.TimeToFirstToken, load)), 9);
        Assert.Equal(15.143534592, Predicted(Row(MeasuredMetric.TimePerOutputToken, load)), 9);
        Assert.Equal(0.5, Predicted(Row(MeasuredMetric.RequestsPerSecond, load)), 12);
        Assert.Equal(24, Predicted(Row(MeasuredMetric.OutputTokensPerSecond, load)), 9);

        // Two replicas share 1 request/s: each sees 0.5
        MeasuredLoad both = MeasuredLoad.OpenLoop(RequestsPerSecond.FromRequestsPerSecond(1.0));
        Assert.Equal(143.263793152, Predicted(Row(MeasuredMetric.TimeToFirstToken, both, replicas: 2)), 9);
        Assert.Equal(1.0, Predicted(Row(MeasuredMetric.RequestsPerSecond, both, replicas: 2)), 12);
    }

    [Fact]
    public void Should_reach_the_capacity_and_skip_ttft_When_the_offered_rate_exceeds_it()
    {
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        double capacity = PerformanceModel.Evaluate(d, new Workload(1000, 48, null)).RequestsPerSecond;
        MeasuredLoad load = MeasuredLoad.OpenLoop(RequestsPerSecond.FromRequestsPerSecond(1000));

        Assert.Equal(capacity, Predicted(Row(MeasuredMetric.RequestsPerSecond, load)), 9);
        Assert.Equal(2 * capacity, Predicted(Row(MeasuredMetric.RequestsPerSecond, MeasuredLoad.OpenLoop(null), replicas: 2)), 9);
        Assert.Equal(
            $"the offered qps:1000 reaches the predicted capacity of {capacity:0.###} requests/s, so the queue and TTFT grow without bound.",
            Predict(Row(MeasuredMetric.TimeToFirstToken, load)).SkipReason);
        Assert.Equal("TTFT of qps:inf depends on how many requests arrive at once, which the row does not say.", Predict(Row(MeasuredMetric.TimeToFirstToken, MeasuredLoad.OpenLoop(null))).SkipReason);
    }

    [Fact]
    public void Should_skip_with_the_reason_When_a_row_cannot_be_predicted()
    {
        Assert.Equal("model 'nope' is not in the catalog (llmplan catalog models; add it with --catalog DIR).", Predict(Row(MeasuredMetric.TimePerOutputToken, MeasuredLoad.Closed(1), model: "nope")).SkipReason);
        Assert.Equal("TP 3 does not divide the 32 attention heads of llama-3.1-8b; use a TP degree that divides it.", Predict(Row(MeasuredMetric.TimePerOutputToken, MeasuredLoad.Closed(1), tp: 3)).SkipReason);
        MeasurementPrediction big = Predict(Row(MeasuredMetric.TimePerOutputToken, MeasuredLoad.Closed(1), model: "llama-3.1-70b"));
        Assert.Null(big.Predicted);
        Assert.Null(big.Ape);
        Assert.StartsWith("infeasible: stage 1 (layers 1-80 on ROUND TP 1): weights (", big.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_be_the_relative_error_When_ape_is_asked()
    {
        var p = new MeasurementPrediction(Row(MeasuredMetric.TimePerOutputToken, MeasuredLoad.Closed(1)) with { Value = 20 }, 25, string.Empty);
        Assert.Equal(0.25, p.Ape);
        Assert.Equal(0.25, (p with { Predicted = 15 }).Ape);
    }
}
