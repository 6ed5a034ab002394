using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Performance;

/// <summary>Per-GPU memory: weights, KV cache and activation workspace (docs/model.md, "Memory").</summary>
public static class MemoryModel
{
    /// <summary>Embeddings, the LM head and other parameters stay in 16 bits when decoder weights are quantized
    /// (as vLLM, TensorRT-LLM and AWQ/GPTQ checkpoints keep them).</summary>
    public const double EmbeddingBytesPerParameter = 2.0;

    /// <summary>Activations are 16-bit.</summary>
    public const double ActivationBytes = 2.0;

    /// <summary>Logits are materialized in fp32 for sampling.</summary>
    public const double LogitBytes = 4.0;

    /// <summary>The KV heads one GPU of a tensor-parallel group holds: k/t, or 1 when t exceeds k (heads are
    /// replicated, as vLLM does).</summary>
    /// <param name="model">The model.</param>
    /// <param name="tensorParallel">The TP degree t.</param>
    /// <returns>KV heads per GPU.</returns>
    public static int KvHeadsPerGpu(ModelArchitecture model, int tensorParallel) =>
        Math.Max(1, model.KvHeads / tensorParallel);

    /// <summary>The KV cache of one token in one layer on one GPU: 2 (K and V) × KV heads per GPU × head dim × bytes.</summary>
    /// <param name="model">The model.</param>
    /// <param name="kvCache">The KV-cache precision.</param>
    /// <param name="tensorParallel">The TP degree.</param>
    /// <returns>Bytes per token per layer per GPU.</returns>
    public static Bytes KvBytesPerTokenPerLayer(ModelArchitecture model, Precision kvCache, int tensorParallel) =>
        Bytes.FromBytes(2.0 * KvHeadsPerGpu(model, tensorParallel) * model.HeadDim * kvCache.BytesPerElement());

    /// <summary>The weights one GPU of a stage holds: its layers' shard, plus the embedding (first stage) and LM head
    /// (last stage), vocabulary-parallel over the TP group.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="stageIndex">The stage.</param>
    /// <returns>Bytes of weights per GPU.</returns>
    public static Bytes WeightsPerGpu(Deployment deployment, int stageIndex)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        PipelineStage stage = deployment.Stages[stageIndex];
        return WeightsPerGpu(deployment.Model, deployment.Weights, stage.TensorParallel, stage.LayerCount, stageIndex == 0, stageIndex == deployment.Stages.Count - 1);
    }

    /// <summary>The weights one GPU of a stage holds, from the stage's shape alone.</summary>
    /// <param name="model">The model.</param>
    /// <param name="weights">The weight precision.</param>
    /// <param name="tensorParallel">The stage's TP degree t.</param>
    /// <param name="layerCount">The stage's layers.</param>
    /// <param name="first">Whether the stage is the first (it holds the embedding).</param>
    /// <param name="last">Whether the stage is the last (it holds the LM head).</param>
    /// <returns>Bytes of weights per GPU.</returns>
    public static Bytes WeightsPerGpu(ModelArchitecture model, Precision weights, int tensorParallel, int layerCount, bool first, bool last)
    {
        ArgumentNullException.ThrowIfNull(model);
        double t = tensorParallel;
        double layers = layerCount * (double)model.ParametersPerLayer * weights.BytesPerElement() / t;
        double edges = 0;
        if (first)
        {
            edges += (model.EmbeddingParameters + model.OtherParameters) * EmbeddingBytesPerParameter / t;
        }

        // A tied LM head shares the embedding only when both live on the same GPUs.
        if (last && (!model.TiedEmbeddings || !first))
        {
            edges += model.EmbeddingParameters * EmbeddingBytesPerParameter / t;
        }

        return Bytes.FromBytes(layers + edges);
    }

    /// <summary>The activation workspace of one GPU: the peak of one step of <see cref="EngineSettings.MaxBatchedTokens"/>
    /// tokens (residual and normed hidden states, the QKV projection, the MLP's up/gate output per active expert) plus
    /// fp32 logits for up to <see cref="EngineSettings.MaxSequences"/> sequences on the last stage, plus the runtime
    /// reserve.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="stageIndex">The stage.</param>
    /// <param name="engine">The engine settings.</param>
    /// <returns>Bytes of workspace per GPU.</returns>
    public static Bytes ActivationsPerGpu(Deployment deployment, int stageIndex, EngineSettings engine)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return ActivationsPerGpu(deployment.Model, deployment.Stages[stageIndex].TensorParallel, stageIndex == deployment.Stages.Count - 1, engine);
    }

    /// <summary>The activation workspace of one GPU of a stage, from the stage's shape alone.</summary>
    /// <param name="model">The model.</param>
    /// <param name="tensorParallel">The stage's TP degree t.</param>
    /// <param name="last">Whether the stage is the last (it holds the logits).</param>
    /// <param name="engine">The engine settings.</param>
    /// <returns>Bytes of workspace per GPU.</returns>
    public static Bytes ActivationsPerGpu(ModelArchitecture model, int tensorParallel, bool last, EngineSettings engine)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(engine);
        double t = tensorParallel;
        double tokens = engine.MaxBatchedTokens;
        double qkv = (model.AttentionHeads + (2.0 * model.KvHeads)) * model.HeadDim / t;
        double mlpUp = (model.Mlp == MlpKind.Gated ? 2.0 : 1.0) * model.ActiveExperts * model.FfnSize / t;
        double perToken = (2.0 * model.HiddenSize) + qkv + mlpUp;
        double workspace = tokens * perToken * ActivationBytes;
        if (last)
        {
            workspace += Math.Min(tokens, engine.MaxSequences) * model.VocabSize / t * LogitBytes;
        }

        return Bytes.FromBytes(workspace) + engine.RuntimeReserve;
    }
}
