using LlmPlan.Units;

namespace LlmPlan.Performance;

/// <summary>The steady state of a deployment when requests arrive at an offered rate (an open loop).</summary>
/// <param name="Feasible">Whether the deployment can serve the workload at all.</param>
/// <param name="Reason">Why not; empty when feasible.</param>
/// <param name="Offered">The offered rate, or null when every request arrives at once.</param>
/// <param name="Achieved">The completed requests per second: the offered rate, or the capacity when it is exceeded.</param>
/// <param name="Capacity">The most requests per second the deployment completes (the closed loop at its maximum concurrency).</param>
/// <param name="Running">The mean number of sequences in the engine (Little's law: achieved rate × time in the engine).</param>
/// <param name="Saturated">Whether the offered rate reaches the capacity, so that the queue grows for as long as requests come.</param>
/// <param name="TimeToFirstToken">The mean time to first token, or null when saturated (the wait grows without bound).</param>
/// <param name="TimePerOutputToken">The mean time per output token after the first.</param>
/// <param name="OutputTokensPerSecond">Generated tokens per second at the achieved rate.</param>
/// <param name="TotalTokensPerSecond">Prompt plus generated tokens per second at the achieved rate.</param>
public sealed record OpenLoopEvaluation(
    bool Feasible,
    string Reason,
    RequestsPerSecond? Offered,
    RequestsPerSecond Achieved,
    RequestsPerSecond Capacity,
    double Running,
    bool Saturated,
    Seconds? TimeToFirstToken,
    Seconds TimePerOutputToken,
    TokensPerSecond OutputTokensPerSecond,
    TokensPerSecond TotalTokensPerSecond);

/// <summary>Serving at an offered request rate (docs/model.md §5, "Open loop"): the closed-loop model of
/// <see cref="PerformanceModel"/> at the concurrency the rate sustains.</summary>
/// <remarks>
/// With continuous batching the engine admits an arriving request at once while fewer than N_max sequences run (the
/// sequence cap and the KV cache), so the sequences in the engine follow from Little's law: N = λ·W(N), where W(N), the
/// time a request spends in the engine, is the closed-loop cycle T at concurrency N. The closed loop completes
/// X(N) = N/T(N) requests per second, so the running concurrency is the N with X(N) = λ. X is evaluated at whole N and
/// interpolated linearly in between, as are TTFT and TPOT. Below X(1) the engine is idle part of the time and a request
/// sees the latencies of N = 1. At or above the capacity X(N_max) the queue grows without bound: the achieved rate is the
/// capacity, TPOT that of N_max, and TTFT has no steady value. Arrival randomness (queueing while N_max run) is not
/// modelled: the model gives the mean behaviour of a smooth arrival stream.
/// </remarks>
public static class OpenLoopModel
{
    /// <summary>Evaluates a deployment under an offered rate.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="inputTokens">Prompt tokens per request.</param>
    /// <param name="outputTokens">Generated tokens per request, at least 1.</param>
    /// <param name="offered">The offered rate, or null when every request arrives at once.</param>
    /// <param name="engine">The engine settings, or null for the defaults.</param>
    /// <returns>The steady state.</returns>
    public static OpenLoopEvaluation Evaluate(Deployment deployment, int inputTokens, int outputTokens, RequestsPerSecond? offered, EngineSettings? engine = null)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        Evaluation full = PerformanceModel.Evaluate(deployment, new Workload(inputTokens, outputTokens, null), engine);
        var capacity = RequestsPerSecond.FromRequestsPerSecond(full.RequestsPerSecond);
        if (!full.Feasible)
        {
            return new OpenLoopEvaluation(false, full.Reason, offered, RequestsPerSecond.Zero, RequestsPerSecond.Zero, 0, false, null, Seconds.Zero, TokensPerSecond.Zero, TokensPerSecond.Zero);
        }

        if (offered is not { } rate || rate.Value >= capacity.Value)
        {
            return new OpenLoopEvaluation(true, string.Empty, offered, capacity, capacity, full.Concurrency, true, null, full.TimePerOutputToken, full.OutputTokensPerSecond, full.TotalTokensPerSecond);
        }

        Evaluation At(int n) => PerformanceModel.Evaluate(deployment, new Workload(inputTokens, outputTokens, n), engine);

        // The smallest whole N whose closed loop completes at least the offered rate (X grows with N).
        int lo = 1;
        int hi = full.Concurrency;
        Evaluation one = At(1);
        double running;
        Seconds ttft;
        Seconds tpot;
        if (one.RequestsPerSecond >= rate.Value)
        {
            running = rate.Value * (one.TimeToFirstToken + (one.TimePerOutputToken * (outputTokens - 1))).Value;
            ttft = one.TimeToFirstToken;
            tpot = one.TimePerOutputToken;
        }
        else
        {
            while (hi - lo > 1)
            {
                int mid = lo + ((hi - lo) / 2);
                if (At(mid).RequestsPerSecond >= rate.Value)
                {
                    hi = mid;
                }
                else
                {
                    lo = mid;
                }
            }

            Evaluation below = At(lo);
            Evaluation above = At(hi);
            double span = above.RequestsPerSecond - below.RequestsPerSecond;
            double f = span > 0 ? Math.Clamp((rate.Value - below.RequestsPerSecond) / span, 0, 1) : 1;
            running = lo + f;
            ttft = below.TimeToFirstToken + ((above.TimeToFirstToken - below.TimeToFirstToken) * f);
            tpot = below.TimePerOutputToken + ((above.TimePerOutputToken - below.TimePerOutputToken) * f);
        }

        var output = TokensPerSecond.FromTokensPerSecond(rate.Value * outputTokens);
        var total = TokensPerSecond.FromTokensPerSecond(rate.Value * (inputTokens + outputTokens));
        return new OpenLoopEvaluation(true, string.Empty, offered, rate, capacity, running, false, ttft, tpot, output, total);
    }
}
