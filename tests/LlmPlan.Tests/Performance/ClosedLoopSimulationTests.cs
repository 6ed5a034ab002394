using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Performance;

/// <summary>The closed-loop benchmark simulation on the round-number GPU (llama-3.1-8b bf16, 100 TFLOP/s, 1000 GB/s,
/// efficiencies 1), with a step overhead of 1 ms and 0.1 ms per sequence in a step, so that every step's share of both
/// shows.</summary>
public class ClosedLoopSimulationTests
{
    private const int Layers = 32;
    private const double Overhead = 1e-3;
    private const double PerSequence = 1e-4;

    private static readonly Deployment Tp1 = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu() with
    {
        Calibration = new GpuCalibration(1, 1, Seconds.FromSeconds(Overhead), Seconds.Zero, "test") { SequenceOverhead = Seconds.FromSeconds(PerSequence) },
    }, 1, 1);

    private static readonly int Requests = ClosedLoopHarness.Default.WarmUpPerClient + ClosedLoopHarness.Default.MeasuredPerClient;

    /// <summary>One step's time by the model: every layer of the batch, the LM head for the sampled tokens, the overhead
    /// of the step and of each sequence it decodes or prefills a chunk of.</summary>
    private static double StepSeconds(MixedBatch batch, int sampled, int sequences) =>
        (Layers * StageTimeModel.MixedLayer(Tp1, 0, batch).Total.Value) + (sampled > 0 ? StageTimeModel.LmHead(Tp1, 0, sampled).Value : 0)
        + Overhead + (PerSequence * sequences);

    private static double Decode(int sequences, double context) => StepSeconds(new MixedBatch(sequences, sequences * context, 0, 0, 0), sequences, sequences);

    [Fact]
    public void Should_prefill_in_one_step_and_decode_the_rest_When_one_client_runs()
    {
        // Given one client, 100 prompt tokens and 3 output tokens: each request is a prefill step (100 tokens, 5,000
        // causal pairs, which samples token 1) and two decode steps at contexts 101 and 102.
        EngineSettings engine = EngineSettings.Default;
        ClosedLoopResult r = ClosedLoopSimulation.Run(Tp1, 100, 3, 1, 256, engine);

        double prefill = StepSeconds(new MixedBatch(0, 0, 100, 100 * 50.0, 0), 1, 1);
        Assert.Equal(prefill, r.TimeToFirstToken.Value, 12);
        Assert.Equal((Decode(1, 101) + Decode(1, 102)) / 2, r.TimePerOutputToken.Value, 12);
        Assert.Equal(ClosedLoopHarness.Default.MeasuredPerClient, r.Requests);
        Assert.Equal(3L * Requests, r.Steps);
    }

    [Fact]
    public void Should_wait_for_the_whole_bunch_When_clients_start_together()
    {
        // Given 4 clients whose 4 × 1000 prompt tokens fit one step's budget: every wave prefills all four in one step,
        // decodes them together for O − 1 = 49 steps and sends all four again, so each TTFT is that one step
        var r = ClosedLoopSimulation.Run(Tp1, 1000, 50, 4, 256, EngineSettings.Default);

        double bunch = StepSeconds(new MixedBatch(0, 0, 4000, 4 * 1000 * 500.0, 0), 4, 4);
        Assert.Equal(bunch, r.TimeToFirstToken.Value, 12);
        double decodes = Enumerable.Range(1, 49).Sum(g => Decode(4, 1000 + g));
        Assert.Equal(decodes / 49, r.TimePerOutputToken.Value, 12);
        Assert.Equal(4 * ClosedLoopHarness.Default.MeasuredPerClient, r.Requests);
        Assert.Equal(50L * Requests, r.Steps);
    }

    [Fact]
    public void Should_split_a_prompt_into_chunks_When_it_exceeds_the_step_budget()
    {
        // Given a budget of 4096 tokens and a 10,000-token prompt: chunks of 4096 (after 0), 4096 (after 4096) and
        // 1808 (after 8192); only the last samples a token
        var engine = EngineSettings.Default with { MaxBatchedTokens = 4096 };
        ClosedLoopResult r = ClosedLoopSimulation.Run(Tp1, 10_000, 2, 1, 256, engine);

        double expected = StepSeconds(new MixedBatch(0, 0, 4096, 4096 * 2048.0, 0), 0, 1)
            + StepSeconds(new MixedBatch(0, 0, 4096, 4096 * (4096 + 2048.0), 4096), 0, 1)
            + StepSeconds(new MixedBatch(0, 0, 1808, 1808 * (8192 + 904.0), 8192), 1, 1);
        Assert.Equal(expected, r.TimeToFirstToken.Value, 12);
        Assert.Equal(Decode(1, 10_001), r.TimePerOutputToken.Value, 12);
    }

    [Fact]
    public void Should_queue_behind_the_running_requests_When_the_engine_runs_one_at_a_time()
    {
        // Given 3 clients and room for one running sequence, with 2 output tokens, and 2 warm-up requests per client in
        // the stream: once the clients are in turn, each request waits for the other two (prefill and one decode each)
        // and then its own prefill
        ClosedLoopResult r = ClosedLoopSimulation.Run(Tp1, 100, 2, 3, 1, EngineSettings.Default, new ClosedLoopRequests(6, 30));

        double prefill = StepSeconds(new MixedBatch(0, 0, 100, 100 * 50.0, 0), 1, 1);
        double decode = Decode(1, 101);
        Assert.Equal((2 * (prefill + decode)) + prefill, r.TimeToFirstToken.Value, 12);
        Assert.Equal(decode, r.TimePerOutputToken.Value, 12);
    }

    [Fact]
    public void Should_report_no_tpot_When_each_request_has_one_output_token()
    {
        ClosedLoopResult r = ClosedLoopSimulation.Run(Tp1, 100, 1, 2, 256, EngineSettings.Default);
        Assert.Equal(StepSeconds(new MixedBatch(0, 0, 200, 2 * 100 * 50.0, 0), 2, 2), r.TimeToFirstToken.Value, 12);
        Assert.Equal(Seconds.Zero, r.TimePerOutputToken);
    }

    [Fact]
    public void Should_run_the_last_request_alone_When_the_pool_runs_out()
    {
        // Given 2 clients and 3 measured requests without warm-up (vllm bench serve --num-prompts 3 --max-concurrency 2),
        // S = 100, O = 3: requests 0 and 1 are prefilled together and decoded together; then client 0 takes request 2
        // and client 1 has none left, so request 2 runs alone
        ClosedLoopResult r = ClosedLoopSimulation.Run(Tp1, 100, 3, 2, 256, EngineSettings.Default, new ClosedLoopRequests(0, 3));

        double pair = StepSeconds(new MixedBatch(0, 0, 200, 2 * 100 * 50.0, 0), 2, 2);
        double alone = StepSeconds(new MixedBatch(0, 0, 100, 100 * 50.0, 0), 1, 1);
        Assert.Equal(((2 * pair) + alone) / 3, r.TimeToFirstToken.Value, 12);
        double pairTpot = (Decode(2, 101) + Decode(2, 102)) / 2;
        double aloneTpot = (Decode(1, 101) + Decode(1, 102)) / 2;
        Assert.Equal(((2 * pairTpot) + aloneTpot) / 3, r.TimePerOutputToken.Value, 12);
        Assert.Equal((3, 0, 6L), (r.Requests, r.WarmUpRequests, r.Steps));
    }

    [Fact]
    public void Should_measure_only_after_the_warm_up_When_a_warm_up_is_given()
    {
        // Given one client, 2 warm-up and 1 measured request: the same single-request timeline, measured once, 3 runs
        ClosedLoopResult r = ClosedLoopSimulation.Run(Tp1, 100, 3, 1, 256, EngineSettings.Default, new ClosedLoopRequests(2, 1));
        Assert.Equal(StepSeconds(new MixedBatch(0, 0, 100, 100 * 50.0, 0), 1, 1), r.TimeToFirstToken.Value, 12);
        Assert.Equal((1, 2, 9L), (r.Requests, r.WarmUpRequests, r.Steps));

        // And with more clients than requests, only as many clients send as there are requests
        ClosedLoopResult few = ClosedLoopSimulation.Run(Tp1, 100, 3, 8, 256, EngineSettings.Default, new ClosedLoopRequests(0, 2));
        Assert.Equal(StepSeconds(new MixedBatch(0, 0, 200, 2 * 100 * 50.0, 0), 2, 2), few.TimeToFirstToken.Value, 12);
        Assert.Equal((2, 3L), (few.Requests, few.Steps));
    }

    [Fact]
    public void Should_refuse_a_pipeline_When_the_deployment_has_two_stages()
    {
        Deployment pipeline = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 2);
        var error = Assert.Throws<ArgumentException>(() => ClosedLoopSimulation.Run(pipeline, 100, 10, 4, 256, EngineSettings.Default));
        Assert.Equal("the closed-loop simulation runs one pipeline stage; this deployment has 2. (Parameter 'deployment')", error.Message);
    }

    [Fact]
    public void Should_never_beat_a_prompt_or_a_token_alone_When_clients_budgets_and_caps_vary()
    {
        // Given seeded random loads, Then no request gets its first token sooner than its prompt prefilled alone in one
        // step, no token comes faster than one sequence decoded alone, and the same inputs give the same result
        var random = new Random(20261202);
        for (int i = 0; i < 40; i++)
        {
            int s = random.Next(1, 5000);
            int o = random.Next(1, 200);
            int n = random.Next(1, 48);
            int cap = random.Next(1, n + 4);
            var engine = EngineSettings.Default with { MaxBatchedTokens = new[] { 512, 2048, 8192 }[random.Next(3)] };
            ClosedLoopResult r = ClosedLoopSimulation.Run(Tp1, s, o, n, cap, engine);

            double alone = StepSeconds(new MixedBatch(0, 0, s, s * (s / 2.0), 0), 1, 1);
            Assert.True(r.TimeToFirstToken.Value >= alone * (1 - 1e-12), $"case {i}: TTFT {r.TimeToFirstToken.Value} < {alone}");
            if (o > 1)
            {
                Assert.True(r.TimePerOutputToken.Value >= Decode(1, s + 1) * (1 - 1e-12), $"case {i}: TPOT {r.TimePerOutputToken.Value}");
            }

            Assert.Equal(n * ClosedLoopHarness.Default.MeasuredPerClient, r.Requests);
            Assert.Equal(r, ClosedLoopSimulation.Run(Tp1, s, o, n, cap, engine));
        }
    }
}
