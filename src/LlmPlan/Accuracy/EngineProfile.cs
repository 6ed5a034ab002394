using LlmPlan.Catalog;
using LlmPlan.Performance;

namespace LlmPlan.Accuracy;

/// <summary>The engine settings a measurement is predicted with, chosen by the engine named in its row.</summary>
/// <param name="Family">The engine family: the <c>engine</c> column before any <c>:version</c>, lower case.</param>
/// <param name="Settings">The memory and batching settings.</param>
/// <param name="Fp8KvCache">Whether fp8 weights come with an fp8 KV cache (TensorRT-LLM's FP8 recipes quantize both).</param>
public sealed record EngineProfile(string Family, EngineSettings Settings, bool Fp8KvCache)
{
    /// <summary>The sequence cap (max_batch_size) assumed for TensorRT-LLM's offline tables: trtllm-bench sizes its
    /// engines for large batches, far above vLLM's 256.</summary>
    public const int TensorRtLlmMaxSequences = 2048;

    /// <summary>The sequence cap assumed for SGLang, whose default (<c>max_running_requests</c> unset) sizes the request
    /// pool from the KV memory: a cap high enough that the KV cache binds first.</summary>
    public const int SglangMaxSequences = 4096;

    /// <summary>The KV-cache fraction TensorRT-LLM's offline tables used (0.95), taken as the GPU memory utilization.</summary>
    public const double TensorRtLlmMemoryUtilization = 0.95;

    /// <summary>The profile of an engine: <c>trtllm</c> uses a 0.95 memory fraction, a cap of
    /// <see cref="TensorRtLlmMaxSequences"/> sequences and an fp8 KV cache with fp8 weights; <c>sglang</c> a cap of
    /// <see cref="SglangMaxSequences"/>; every other engine (vLLM, FasterTransformer) vLLM's defaults (0.90, 256); all but
    /// TensorRT-LLM keep a 16-bit KV cache. A cap given in
    /// <paramref name="maxSequences"/> for the whole engine text (<c>vllm:0.10.0</c>), or else for its family
    /// (<c>vllm</c>), replaces the default.</summary>
    /// <param name="engine">The <c>engine</c> column, e.g. <c>vllm:0.10.0</c>.</param>
    /// <param name="maxSequences">Sequence caps by lower-case engine text or family, or null.</param>
    /// <returns>The profile.</returns>
    public static EngineProfile For(string engine, IReadOnlyDictionary<string, int>? maxSequences = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        int colon = engine.IndexOf(':', StringComparison.Ordinal);
        string family = (colon < 0 ? engine : engine[..colon]).Trim().ToLowerInvariant();
        bool trt = family == "trtllm";
        EngineSettings settings = family switch
        {
            "trtllm" => EngineSettings.Default with { GpuMemoryUtilization = TensorRtLlmMemoryUtilization, MaxSequences = TensorRtLlmMaxSequences },
            "sglang" => EngineSettings.Default with { MaxSequences = SglangMaxSequences },
            _ => EngineSettings.Default,
        };
        string exact = engine.Trim().ToLowerInvariant();
        if (maxSequences is not null && (maxSequences.TryGetValue(exact, out int cap) || maxSequences.TryGetValue(family, out cap)))
        {
            settings = settings with { MaxSequences = cap };
        }

        return new EngineProfile(family, settings, trt);
    }

    /// <summary>The KV-cache precision used with <paramref name="weights"/>: fp16 with fp16 weights, fp8 with fp8 weights
    /// where the engine quantizes the KV cache too, else bf16.</summary>
    /// <param name="weights">The weight precision.</param>
    /// <returns>The KV-cache precision.</returns>
    public Precision KvCacheFor(Precision weights) => weights switch
    {
        Precision.Fp16 => Precision.Fp16,
        Precision.Fp8 when Fp8KvCache => Precision.Fp8,
        _ => Precision.Bf16,
    };
}
