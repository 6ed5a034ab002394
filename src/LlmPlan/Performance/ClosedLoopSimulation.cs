using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Performance;

/// <summary>What a simulated closed-loop benchmark measured: means over the measured requests.</summary>
/// <param name="TimeToFirstToken">Mean time from a request's arrival to its first token.</param>
/// <param name="TimePerOutputToken">Mean time per output token after the first.</param>
/// <param name="Requests">Requests measured.</param>
/// <param name="Steps">Engine steps simulated.</param>
/// <param name="WarmUpRequests">Requests sent first and not measured.</param>
public sealed record ClosedLoopResult(Seconds TimeToFirstToken, Seconds TimePerOutputToken, int Requests, long Steps, int WarmUpRequests);

/// <summary>How many requests a closed-loop benchmark sends: <paramref name="WarmUp"/> first, not measured, in the same
/// stream as the <paramref name="Measured"/> ones that follow them (a harness that measures a window of a running
/// benchmark). A warm-up that the harness lets finish before it starts the measured requests is not part of the stream:
/// GenAI-Perf (perf_analyzer), AIPerf, <c>vllm bench serve</c> and <c>sglang.bench_serving</c> all do that, so their
/// measured requests start together, as with no warm-up at all, and their W is 0 here. <c>vllm bench serve --num-prompts
/// P --max-concurrency N</c> is 0 and P.</summary>
/// <param name="WarmUp">Requests not measured, sent first in the same stream (≥ 0).</param>
/// <param name="Measured">Requests measured (≥ 1).</param>
public sealed record ClosedLoopRequests(int WarmUp, int Measured)
{
    /// <summary>Gets the requests sent in all, W + R.</summary>
    public int Total => WarmUp + Measured;

    /// <summary>The default for <paramref name="clients"/> clients: 10 × N measured requests, no warm-up in the stream.</summary>
    /// <param name="clients">N.</param>
    /// <returns>The counts.</returns>
    public static ClosedLoopRequests For(int clients) => ClosedLoopHarness.Default.For(clients);
}

/// <summary>A benchmark harness that sends a number of requests per client: <paramref name="WarmUpPerClient"/> × N
/// warm-up requests in the stream (<see cref="ClosedLoopRequests"/>) and <paramref name="MeasuredPerClient"/> × N measured
/// requests for N clients.</summary>
/// <param name="WarmUpPerClient">Warm-up requests per client in the measured stream (≥ 0).</param>
/// <param name="MeasuredPerClient">Measured requests per client (≥ 1).</param>
public sealed record ClosedLoopHarness(int WarmUpPerClient, int MeasuredPerClient)
{
    /// <summary>Gets the default: 10 measured requests per client and no warm-up in the stream. Dynamo's GenAI-Perf sweeps
    /// (ai-dynamo/dynamo, components/backends/trtllm/performance_sweeps/scripts/bench.sh) send 10 × N measured requests
    /// after 2 × N warm-up requests, and GenAI-Perf's perf_analyzer waits for the warm-up to finish before it starts the
    /// measured ones (ConcurrencyManager::PerformWarmup, then WaitForWarmupAndCleanup, in
    /// triton-inference-server/perf_analyzer src/concurrency_manager.cc), so the measured requests start together.</summary>
    public static ClosedLoopHarness Default { get; } = new(0, 10);

    /// <summary>The requests this harness sends for <paramref name="clients"/> clients.</summary>
    /// <param name="clients">N.</param>
    /// <returns>W × N warm-up and R × N measured requests.</returns>
    public ClosedLoopRequests For(int clients) => new(WarmUpPerClient * clients, MeasuredPerClient * clients);
}

/// <summary>A step-by-step simulation of a closed-loop benchmark on one pipeline stage (docs/model.md §5, "Closed-loop
/// benchmarks"): N clients each send a request of S prompt tokens and O output tokens, and send the next as soon as
/// the last one's final token arrives. The engine runs continuous batching with chunked prefill: every step decodes
/// each running sequence once and fills the rest of its token budget (<see cref="EngineSettings.MaxBatchedTokens"/>)
/// with prompt chunks, first come first served, admitting waiting requests while fewer than the cap run. Each step
/// costs <see cref="StageTimeModel.MixedLayer"/> per layer, the LM head for the tokens it samples, and the engine's
/// overhead o + o_s·n for the n sequences it decodes or prefills.</summary>
/// <remarks>
/// <para>All clients start together, as a benchmark does; with equal lengths, requests whose prefills share a step also
/// finish together and come back together, so arrivals stay bunched and each waits behind the prefill of the others in
/// its bunch. A steady-state formula misses that wait; it is most of the TTFT such benchmarks measure.</para>
/// <para>The benchmark sends W + R requests in all (<see cref="ClosedLoopRequests"/>): each client takes the next one
/// when its last finishes, the first W sent are a warm-up and the next R are measured, and when none is left the clients
/// stop, so the last requests run beside fewer others, as in GenAI-Perf and <c>vllm bench serve</c>.</para>
/// </remarks>
public static class ClosedLoopSimulation
{
    /// <summary>Simulates <paramref name="clients"/> closed-loop clients on a one-stage deployment.</summary>
    /// <param name="deployment">The deployment: one stage (TP only).</param>
    /// <param name="promptTokens">S, prompt tokens per request (≥ 1).</param>
    /// <param name="outputTokens">O, output tokens per request (≥ 1).</param>
    /// <param name="clients">N, the clients (≥ 1).</param>
    /// <param name="maxRunning">The most sequences the engine runs at once (its cap and what the KV cache holds).</param>
    /// <param name="engine">The engine settings (the step's token budget).</param>
    /// <param name="requests">The requests sent, warm-up and measured; null for <see cref="ClosedLoopRequests.For"/>.</param>
    /// <returns>The means over the measured requests.</returns>
    /// <exception cref="ArgumentException">The deployment has more than one stage, or a count is below 1 (the warm-up
    /// below 0).</exception>
    public static ClosedLoopResult Run(Deployment deployment, int promptTokens, int outputTokens, int clients, int maxRunning, EngineSettings engine, ClosedLoopRequests? requests = null)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(engine);
        requests ??= ClosedLoopRequests.For(clients);
        if (deployment.Stages.Count != 1)
        {
            throw new ArgumentException(Invariant.Text($"the closed-loop simulation runs one pipeline stage; this deployment has {deployment.Stages.Count}."), nameof(deployment));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(promptTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(clients, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRunning, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(requests.WarmUp);
        ArgumentOutOfRangeException.ThrowIfLessThan(requests.Measured, 1);
        return new State(deployment, promptTokens, outputTokens, clients, maxRunning, Math.Max(1, engine.MaxBatchedTokens), requests).Run();
    }

    /// <summary>The engine and its clients during one simulation.</summary>
    private sealed class State(Deployment deployment, int s, int o, int n, int maxRunning, int budget, ClosedLoopRequests requests)
    {
        private readonly int layers = deployment.Stages[0].LayerCount;
        private readonly GpuCalibration calibration = deployment.Stages[0].Gpu.Calibration;

        // Per client: when its current request arrived, how much of its prompt is prefilled, when its first token
        // came, and which request it is (the order the benchmark sent it in).
        private readonly double[] arrival = new double[n];
        private readonly int[] prefilled = new int[n];
        private readonly double[] firstTokenAt = new double[n];
        private readonly int[] request = [.. Enumerable.Range(0, n)];

        // Requests waiting to be admitted, admitted and prefilling (only the head may be part-way), and decoding (in
        // the order of their first tokens, which is also the order they finish in: all have O tokens). The first
        // min(N, W + R) requests are sent at once.
        private readonly Queue<int> waiting = new(Enumerable.Range(0, Math.Min(n, requests.Total)));
        private readonly Queue<int> prefilling = new();
        private readonly Queue<(int Client, long FirstStep)> decoding = new();
        private readonly List<int> completing = [];

        private double firstStepsSum;
        private double now;
        private long step;
        private int sent = Math.Min(n, requests.Total);
        private int done;
        private double ttftSum;
        private double tpotSum;
        private int ttftCount;
        private int tpotCount;
        private int chunks;

        public ClosedLoopResult Run()
        {
            while (done < requests.Total)
            {
                Step();
            }

            return new ClosedLoopResult(Seconds.FromSeconds(ttftSum / ttftCount), Seconds.FromSeconds(tpotCount > 0 ? tpotSum / tpotCount : 0), ttftCount, step, requests.WarmUp);
        }

        private bool Measured(int client) => request[client] >= requests.WarmUp;

        private void Step()
        {
            step++;
            int decodes = decoding.Count;
            double decodeContext = (decodes * (double)s) + (decodes * (double)step) - firstStepsSum;
            double left = budget - decodes;
            double tokens = 0;
            double pairs = 0;
            double earlier = 0;
            chunks = 0;
            completing.Clear();

            // The head may be part-way; give it the budget first, then the next prefilling ones, then admit.
            foreach (int client in prefilling)
            {
                if (left <= 0)
                {
                    break;
                }

                Chunk(client, ref left, ref tokens, ref pairs, ref earlier);
            }

            while (left > 0 && waiting.Count > 0 && prefilling.Count + decoding.Count < maxRunning)
            {
                int client = waiting.Dequeue();
                prefilling.Enqueue(client);
                Chunk(client, ref left, ref tokens, ref pairs, ref earlier);
            }

            // The LM head runs for the tokens the step samples: one per decoded sequence and per finished prompt. The
            // engine's overhead counts every sequence in the step, decoded or prefilled.
            var batch = new MixedBatch(decodes, decodeContext, tokens, pairs, earlier);
            int sampled = decodes + completing.Count;
            double head = sampled > 0 ? StageTimeModel.LmHead(deployment, 0, sampled).Value : 0;
            double overhead = calibration.Overhead(decodes + chunks).Value;
            double seconds = (StageTimeModel.MixedLayer(deployment, 0, batch).Total.Value * layers) + head + overhead;
            now += seconds;

            FinishDecodes();
            foreach (int client in completing)
            {
                prefilling.Dequeue();
                FirstToken(client);
            }
        }

        private void Chunk(int client, ref double left, ref double tokens, ref double pairs, ref double earlier)
        {
            int already = prefilled[client];
            int k = (int)Math.Min(s - already, left);
            chunks++;
            tokens += k;
            pairs += k * (already + (k / 2.0));
            earlier += already;
            left -= k;
            prefilled[client] = already + k;
            if (already + k == s)
            {
                completing.Add(client);
            }
        }

        private void FinishDecodes()
        {
            while (decoding.Count > 0 && decoding.Peek().FirstStep + o - 1 <= step)
            {
                var (client, firstStep) = decoding.Dequeue();
                firstStepsSum -= firstStep;
                if (Measured(client))
                {
                    tpotSum += (now - firstTokenAt[client]) / (o - 1);
                    tpotCount++;
                }

                Finish(client);
            }
        }

        private void FirstToken(int client)
        {
            firstTokenAt[client] = now;
            if (Measured(client))
            {
                ttftSum += now - arrival[client];
                ttftCount++;
            }

            if (o == 1)
            {
                Finish(client);
                return;
            }

            decoding.Enqueue((client, step));
            firstStepsSum += step;
        }

        private void Finish(int client)
        {
            done++;
            if (sent == requests.Total)
            {
                return;
            }

            request[client] = sent++;
            prefilled[client] = 0;
            arrival[client] = now;
            waiting.Enqueue(client);
        }
    }
}
