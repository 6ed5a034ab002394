using LlmPlan.Units;

namespace LlmPlan.Performance;

/// <summary>The memory of one GPU of a stage, split by use.</summary>
/// <param name="Capacity">The GPU's memory.</param>
/// <param name="Usable">The part the engine may use: capacity × GPU memory utilization.</param>
/// <param name="Weights">The stage's weights on this GPU (its TP shard).</param>
/// <param name="Activations">The activation workspace of the largest step plus the runtime reserve.</param>
/// <param name="KvCachePool">The usable memory left for the KV cache (negative when weights and activations overflow).</param>
/// <param name="KvCacheUsed">The KV cache the running sequences hold at full length.</param>
/// <param name="KvBytesPerToken">The KV cache one token takes on this GPU, over the stage's layers.</param>
public sealed record StageMemory(
    Bytes Capacity,
    Bytes Usable,
    Bytes Weights,
    Bytes Activations,
    Bytes KvCachePool,
    Bytes KvCacheUsed,
    Bytes KvBytesPerToken)
{
    /// <summary>Gets the usable memory left after weights, activations and the KV cache in use.</summary>
    public Bytes Free => KvCachePool - KvCacheUsed;
}

/// <summary>What limits a piece of work: arithmetic or memory traffic.</summary>
public enum Bound
{
    /// <summary>Memory traffic takes longer than the arithmetic.</summary>
    Memory,

    /// <summary>The arithmetic takes longer than the memory traffic.</summary>
    Compute,
}

/// <summary>The predicted behaviour of one pipeline stage.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Memory">The memory of one of its GPUs.</param>
/// <param name="MaxSequences">The sequences of full length whose KV cache fits on this stage.</param>
/// <param name="DecodeTime">The time of one decode step of this stage's micro-batch.</param>
/// <param name="DecodeBound">What limits the decode step's matrix products.</param>
/// <param name="PrefillTime">The time to prefill one prompt on this stage.</param>
/// <param name="TensorParallelTime">The all-reduce part of <see cref="DecodeTime"/>.</param>
public sealed record StagePrediction(
    PipelineStage Stage,
    StageMemory Memory,
    int MaxSequences,
    Seconds DecodeTime,
    Bound DecodeBound,
    Seconds PrefillTime,
    Seconds TensorParallelTime);

/// <summary>The predicted steady state of a deployment under a workload, or why it cannot run.</summary>
public sealed record Evaluation
{
    /// <summary>Gets a value indicating whether the deployment can serve the workload.</summary>
    public required bool Feasible { get; init; }

    /// <summary>Gets why it cannot, with the numbers; empty when feasible.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets the per-stage predictions (memory is filled in even when infeasible).</summary>
    public required IReadOnlyList<StagePrediction> Stages { get; init; }

    /// <summary>Gets the most sequences the deployment runs at once (KV memory and the engine cap).</summary>
    public required int MaxConcurrency { get; init; }

    /// <summary>Gets the sequences the engine runs at once: the requested concurrency, capped by the engine's
    /// sequence limit and by the sequences the KV cache holds (the maximum for "max").</summary>
    public required int Concurrency { get; init; }

    /// <summary>Gets the requests in flight beyond what the engine runs (its sequence cap, the KV cache), waiting in its
    /// queue; their wait is part of TTFT.</summary>
    public required int QueuedRequests { get; init; }

    /// <summary>Gets the time from a request's arrival to its first token.</summary>
    public required Seconds TimeToFirstToken { get; init; }

    /// <summary>Gets the mean time between output tokens of a request after the first.</summary>
    public required Seconds TimePerOutputToken { get; init; }

    /// <summary>Gets the time of one decode step of the whole running batch, without prefill work in it.</summary>
    public required Seconds DecodeStepTime { get; init; }

    /// <summary>Gets the generated tokens per second of the whole deployment.</summary>
    public required TokensPerSecond OutputTokensPerSecond { get; init; }

    /// <summary>Gets the prompt plus generated tokens per second.</summary>
    public required TokensPerSecond TotalTokensPerSecond { get; init; }

    /// <summary>Gets the completed requests per second.</summary>
    public required double RequestsPerSecond { get; init; }

    /// <summary>Gets the price of the deployment per hour.</summary>
    public required DollarsPerHour CostPerHour { get; init; }

    /// <summary>Gets the cost of one million tokens (prompt plus generated), or zero when infeasible.</summary>
    public DollarsPerMillionTokens DollarsPerMillionTokens =>
        Feasible ? CostPerHour / TotalTokensPerSecond : DollarsPerMillionTokens.Zero;

    /// <summary>Gets the cost of one million generated tokens, or zero when infeasible.</summary>
    public DollarsPerMillionTokens DollarsPerMillionOutputTokens =>
        Feasible ? CostPerHour / OutputTokensPerSecond : DollarsPerMillionTokens.Zero;
}
