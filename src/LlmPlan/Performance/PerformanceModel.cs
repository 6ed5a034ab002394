using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Performance;

/// <summary>Predicts the steady state of a deployment serving a workload with continuous batching (docs/model.md).</summary>
/// <remarks>
/// With N sequences in flight over p stages, the engine runs m = min(p, N) micro-batches of b = ⌈N/p⌉ sequences. A
/// decode step of the whole batch takes D = max(m × slowest stage or link, sum of stages + transfers) + o + o_s·N (the
/// engine's step overhead and its per-sequence overhead):
/// the slowest stage or inter-stage link sets the throughput once the pipeline is full, the sum sets the latency
/// otherwise. Requests beyond what the engine runs (its sequence cap and the KV cache) wait in its queue. Every request needs
/// its prompt prefilled once; chunked prefill rides along in decode steps, so a cycle in which N requests each produce O
/// tokens lasts T = (O − 1)·D + D' + max(N·P, P₁ + … + Pₚ), where P is the slowest stage's prefill of one prompt (the
/// sum, with transfers, is one prompt's prefill latency) and D' the decode step a
/// prefill shares (D when others run, else just the step overhead): the prefill step yields the first token. Output
/// tokens/s = N·O/T; TTFT is the prompt's prefill through every stage plus D'; TPOT spreads the rest of the request's
/// life, (T − TTFT)/(O − 1), over its remaining tokens (D exactly when N = 1).
/// </remarks>
public static class PerformanceModel
{
    /// <summary>Evaluates a deployment under a workload.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="workload">The workload.</param>
    /// <param name="engine">The engine settings, or null for the defaults.</param>
    /// <returns>The prediction; infeasible deployments carry the reason and the memory breakdown.</returns>
    public static Evaluation Evaluate(Deployment deployment, Workload workload, EngineSettings? engine = null)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(workload);
        engine ??= EngineSettings.Default;
        var model = deployment.Model;
        int sequenceTokens = workload.InputTokens + workload.OutputTokens;
        int blockTokens = engine.KvBlockTokens;
        long sequenceTokensInBlocks = (sequenceTokens + blockTokens - 1L) / blockTokens * blockTokens;

        var memories = new StageMemory[deployment.Stages.Count];
        var maxSequences = new int[deployment.Stages.Count];
        var reasons = new List<string>();
        for (int i = 0; i < deployment.Stages.Count; i++)
        {
            var stage = deployment.Stages[i];
            Bytes usable = stage.Gpu.Memory * engine.GpuMemoryUtilization;
            Bytes weights = MemoryModel.WeightsPerGpu(deployment, i);
            Bytes activations = MemoryModel.ActivationsPerGpu(deployment, i, engine);
            Bytes pool = usable - weights - activations;
            Bytes perToken = MemoryModel.KvBytesPerTokenPerLayer(model, deployment.KvCache, stage.TensorParallel) * stage.LayerCount;
            Bytes perSequence = perToken * sequenceTokensInBlocks;
            maxSequences[i] = SequencesThatFit(pool, perSequence);
            memories[i] = new StageMemory(stage.Gpu.Memory, usable, weights, activations, pool, Bytes.Zero, perToken);
            string where = StageName(deployment, i);
            string config = ConfigurationProblem(deployment, i);
            if (config.Length > 0)
            {
                reasons.Add($"{where}: {config}");
            }
            else if (weights + activations > usable)
            {
                reasons.Add(Invariant.Text($"{where}: weights ({weights.Gibibytes:0.00} GiB) and activations ({activations.Gibibytes:0.00} GiB) need {(weights + activations).Gibibytes:0.00} GiB per GPU but only {usable.Gibibytes:0.00} GiB is usable ({stage.Gpu.Memory.Gibibytes:0.##} GiB × {engine.GpuMemoryUtilization:0.00}); {(weights + activations - usable).Gibibytes:0.00} GiB over. Use more GPUs (higher TP or PP) or a smaller precision."));
            }
            else if (maxSequences[i] == 0)
            {
                reasons.Add(Invariant.Text($"{where}: the KV cache of one sequence of {sequenceTokens} tokens needs {perSequence.Gibibytes:0.000} GiB per GPU but only {pool.Gibibytes:0.000} GiB is left after weights and activations."));
            }
        }

        if (sequenceTokens > model.MaxContext)
        {
            reasons.Add(Invariant.Text($"{model.Id}: a sequence of {workload.InputTokens} + {workload.OutputTokens} = {sequenceTokens} tokens exceeds the model's context of {model.MaxContext} tokens by {sequenceTokens - model.MaxContext}."));
        }

        int kvLimit = maxSequences.Length == 0 ? 0 : maxSequences.Min();
        int maxConcurrency = Math.Min(kvLimit, engine.MaxSequences);

        // Closed loop: N requests are in flight. The engine runs as many as its sequence cap and the KV cache allow (the
        // scheduler admits a sequence only when its blocks fit); the rest wait in its queue and hold no KV cache.
        int concurrency = workload.Concurrency ?? maxConcurrency;
        int running = Math.Min(concurrency, maxConcurrency);
        for (int i = 0; i < memories.Length; i++)
        {
            memories[i] = memories[i] with { KvCacheUsed = memories[i].KvBytesPerToken * (Math.Max(0, running) * (double)sequenceTokensInBlocks) };
        }

        if (reasons.Count > 0 || running < 1)
        {
            var infeasibleStages = deployment.Stages
                .Select((s, i) => new StagePrediction(s, memories[i], maxSequences[i], Seconds.Zero, Bound.Memory, Seconds.Zero, Seconds.Zero))
                .ToList();
            return Infeasible(deployment, reasons.Count > 0 ? string.Join(" ", reasons) : "concurrency must be at least 1.", infeasibleStages, maxConcurrency, running);
        }

        return Steady(deployment, workload, memories, maxSequences, maxConcurrency, running, concurrency - running);
    }

    private static Evaluation Steady(Deployment deployment, Workload workload, StageMemory[] memories, int[] maxSequences, int maxConcurrency, int concurrency, int queued)
    {
        int p = deployment.Stages.Count;
        int microBatches = Math.Min(p, concurrency);
        double batch = Math.Ceiling(concurrency / (double)microBatches);
        // Decode steps produce tokens 2..O (the prefill step yields the first) and read S + 1 … S + O − 1 tokens of KV.
        double meanContext = workload.InputTokens + (workload.OutputTokens / 2.0);
        // The engine's overhead of a step of all N sequences: o + o_s·N (the largest of the stages' GPUs).
        Seconds overhead = deployment.Stages.Select(s => s.Gpu.Calibration.Overhead(concurrency)).Max();

        var stages = new StagePrediction[p];
        Seconds decodeSum = Seconds.Zero;
        Seconds decodeSlowest = Seconds.Zero;
        Seconds prefillSum = Seconds.Zero;
        Seconds prefillSlowest = Seconds.Zero;
        for (int i = 0; i < p; i++)
        {
            var (decode, tensorParallel, bound) = StageTimeModel.DecodeStep(deployment, i, batch, meanContext);
            Seconds prefill = StageTimeModel.Prefill(deployment, i, workload.InputTokens);
            if (i < p - 1)
            {
                // A link is a pipeline resource like a stage: it carries every micro-batch once per step.
                Seconds decodeTransfer = StageTimeModel.StageTransfer(deployment, i, batch);
                Seconds prefillTransfer = StageTimeModel.StageTransfer(deployment, i, workload.InputTokens);
                decodeSum += decodeTransfer;
                prefillSum += prefillTransfer;
                decodeSlowest = Seconds.Max(decodeSlowest, decodeTransfer);
                prefillSlowest = Seconds.Max(prefillSlowest, prefillTransfer);
            }

            decodeSum += decode;
            prefillSum += prefill;
            decodeSlowest = Seconds.Max(decodeSlowest, decode);
            prefillSlowest = Seconds.Max(prefillSlowest, prefill);
            stages[i] = new StagePrediction(deployment.Stages[i], memories[i], maxSequences[i], decode, bound, prefill, tensorParallel);
        }

        PipelineCycle timing = Cycle(p, concurrency, workload.OutputTokens, decodeSlowest, decodeSum, prefillSlowest, prefillSum, overhead);
        Seconds decodeStep = timing.DecodeStep;
        Seconds cycle = timing.Cycle;
        double requestsPerSecond = concurrency / cycle.Value;

        // Little's law: a queued request waits (queued / throughput) before its prefill starts.
        Seconds queueing = Seconds.FromSeconds(queued / requestsPerSecond);
        Seconds ttft = timing.FirstToken + queueing;
        Seconds tpot = timing.PerOutputToken;
        TokensPerSecond output = Tokens.FromCount((double)concurrency * workload.OutputTokens) / cycle;
        TokensPerSecond total = Tokens.FromCount((double)concurrency * (workload.InputTokens + workload.OutputTokens)) / cycle;
        return new Evaluation
        {
            Feasible = true,
            Reason = string.Empty,
            Stages = stages,
            MaxConcurrency = maxConcurrency,
            Concurrency = concurrency,
            QueuedRequests = queued,
            TimeToFirstToken = ttft,
            TimePerOutputToken = tpot,
            DecodeStepTime = decodeStep,
            OutputTokensPerSecond = output,
            TotalTokensPerSecond = total,
            RequestsPerSecond = requestsPerSecond,
            CostPerHour = deployment.CostPerHour,
        };
    }

    /// <summary>The sequences of full length whose KV cache fits in a stage's pool: ⌊pool / per-sequence KV⌋, zero when
    /// weights and activations leave nothing.</summary>
    /// <param name="pool">The usable memory left after weights and activations, per GPU.</param>
    /// <param name="perSequence">The KV cache of one sequence (whole blocks) over the stage's layers, per GPU.</param>
    /// <returns>The sequences that fit.</returns>
    internal static int SequencesThatFit(Bytes pool, Bytes perSequence) =>
        pool.Value <= 0 ? 0 : (int)Math.Min(int.MaxValue, Math.Floor(pool / perSequence));

    /// <summary>The steady-state cycle of a pipeline (class remarks): N requests each produce O tokens.</summary>
    /// <param name="stages">The stages p.</param>
    /// <param name="concurrency">The sequences running N, at least 1.</param>
    /// <param name="outputTokens">Tokens generated per request O.</param>
    /// <param name="decodeSlowest">The slowest stage or link of a decode step of one micro-batch.</param>
    /// <param name="decodeSum">The stages and links of a decode step of one micro-batch, added up.</param>
    /// <param name="prefillSlowest">The slowest stage or link of one prompt's prefill.</param>
    /// <param name="prefillSum">The stages and links of one prompt's prefill, added up.</param>
    /// <param name="overhead">The engine overhead of a step of all N sequences, o + o_s·N (the largest of the stages' GPUs).</param>
    /// <returns>The decode step, the cycle, the time to the first token without queueing, and the time per output token.</returns>
    internal static PipelineCycle Cycle(
        int stages, int concurrency, int outputTokens, Seconds decodeSlowest, Seconds decodeSum, Seconds prefillSlowest, Seconds prefillSum, Seconds overhead)
    {
        int microBatches = Math.Min(stages, concurrency);
        Seconds decodeStep = Seconds.Max(decodeSlowest * microBatches, decodeSum) + overhead;

        // The step that prefills a prompt also produces its first token; it decodes the others alongside (only the step
        // overhead when there are none). The other O − 1 tokens take one decode step each.
        Seconds prefillStepShare = concurrency > 1 ? decodeStep : overhead;

        // N prompts pipeline through the stages at the slowest stage's pace, but never faster than one prompt's latency.
        Seconds prefillWork = Seconds.Max(prefillSlowest * concurrency, prefillSum);
        Seconds cycle = (decodeStep * (outputTokens - 1)) + prefillStepShare + prefillWork;
        Seconds firstToken = prefillSum + prefillStepShare;
        Seconds tpot = outputTokens > 1 ? (cycle - firstToken) / (outputTokens - 1) : decodeStep;
        return new PipelineCycle(decodeStep, cycle, firstToken, tpot);
    }

    private static Evaluation Infeasible(Deployment deployment, string reason, IReadOnlyList<StagePrediction> stages, int maxConcurrency, int concurrency) => new()
    {
        Feasible = false,
        Reason = reason,
        Stages = stages,
        MaxConcurrency = maxConcurrency,
        Concurrency = Math.Max(0, concurrency),
        QueuedRequests = 0,
        TimeToFirstToken = Seconds.Zero,
        TimePerOutputToken = Seconds.Zero,
        DecodeStepTime = Seconds.Zero,
        OutputTokensPerSecond = TokensPerSecond.Zero,
        TotalTokensPerSecond = TokensPerSecond.Zero,
        RequestsPerSecond = 0,
        CostPerHour = deployment.CostPerHour,
    };

    /// <summary>Checks that the stage's TP degree splits the model's heads evenly, as tensor-parallel engines require.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="stageIndex">The stage.</param>
    /// <returns>The problem, or empty.</returns>
    internal static string ConfigurationProblem(Deployment deployment, int stageIndex) =>
        ConfigurationProblem(deployment.Model, deployment.Stages[stageIndex].TensorParallel);

    /// <summary>Checks that a TP degree splits the model's heads evenly, as tensor-parallel engines require.</summary>
    /// <param name="model">The model.</param>
    /// <param name="t">The TP degree.</param>
    /// <returns>The problem, or empty.</returns>
    internal static string ConfigurationProblem(ModelArchitecture model, int t)
    {
        if (model.AttentionHeads % t != 0)
        {
            return Invariant.Text($"TP {t} does not divide the {model.AttentionHeads} attention heads of {model.Id}; use a TP degree that divides it.");
        }

        if (model.KvHeads % t != 0 && t % model.KvHeads != 0)
        {
            return Invariant.Text($"TP {t} neither divides nor is a multiple of the {model.KvHeads} KV heads of {model.Id}; use a TP degree that divides it.");
        }

        return string.Empty;
    }

    private static string StageName(Deployment deployment, int index)
    {
        var stage = deployment.Stages[index];
        string on = stage.Instance.Length > 0 ? $"{stage.Instance} ({stage.Gpu.Id})" : stage.Gpu.Id;
        return Invariant.Text($"stage {index + 1} (layers {stage.FirstLayer + 1}-{stage.LastLayer + 1} on {on} TP {stage.TensorParallel})");
    }

}

/// <summary>The steady-state timing of a pipeline (see <see cref="PerformanceModel"/>).</summary>
/// <param name="DecodeStep">One decode step of the whole running batch.</param>
/// <param name="Cycle">The time in which every running request is prefilled and produces all its tokens.</param>
/// <param name="FirstToken">From the start of a prompt's prefill to its first token (TTFT without queueing).</param>
/// <param name="PerOutputToken">The mean time between output tokens after the first (TPOT).</param>
internal readonly record struct PipelineCycle(Seconds DecodeStep, Seconds Cycle, Seconds FirstToken, Seconds PerOutputToken);
