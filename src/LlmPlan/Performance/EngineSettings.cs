using LlmPlan.Units;

namespace LlmPlan.Performance;

/// <summary>The serving engine's memory and batching settings, with vLLM's names.</summary>
public sealed record EngineSettings
{
    /// <summary>Gets the default settings (see each property).</summary>
    public static EngineSettings Default { get; } = new();

    /// <summary>Gets the fraction of GPU memory the engine may use for weights, activations and KV cache
    /// (vLLM <c>gpu_memory_utilization</c>, default 0.90).</summary>
    public double GpuMemoryUtilization { get; init; } = 0.90;

    /// <summary>Gets the cap on running sequences (vLLM <c>max_num_seqs</c>, default 256).</summary>
    public int MaxSequences { get; init; } = 256;

    /// <summary>Gets the most tokens one step processes (vLLM <c>max_num_batched_tokens</c>); it sizes the activation
    /// workspace. Default 8192, inside the range vLLM V1 picks by entry point and GPU (2048 for its API server on
    /// smaller GPUs up to 16384 offline on 70 GiB-class GPUs).</summary>
    public int MaxBatchedTokens { get; init; } = 8192;

    /// <summary>Gets the tokens per KV-cache block (vLLM <c>block_size</c>, default 16); a sequence holds whole blocks.</summary>
    public int KvBlockTokens { get; init; } = 16;

    /// <summary>Gets the memory each GPU needs outside weights, activations and KV cache: the CUDA context, NCCL and
    /// cuBLAS workspaces and captured CUDA graphs. Default 1 GiB.</summary>
    public Bytes RuntimeReserve { get; init; } = Bytes.FromGibibytes(1.0);
}
