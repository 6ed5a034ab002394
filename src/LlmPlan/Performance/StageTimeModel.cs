using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Performance;

/// <summary>The time one pipeline stage takes for a decode step or a prefill (docs/model.md, "Time").</summary>
/// <remarks>Each layer is two operator groups plus tensor-parallel communication. The matrix products read the layer's
/// weights (only the experts a step touches, for mixture-of-experts models) and do 2 operations per active parameter per
/// token; attention reads the KV cache and does 4·h·δ operations per token per context token. Each group takes the
/// longer of its compute time (operations over the dense peak × compute efficiency) and its memory time (bytes over the
/// memory bandwidth × memory efficiency): a roofline per group, never the sum of both. Two all-reduces per layer
/// (Megatron) follow a ring of 2(t−1) steps: 2(t−1)/t × message over the link, plus the step latency α per step.</remarks>
public static class StageTimeModel
{
    /// <summary>The expected number of distinct experts among <paramref name="tokens"/> tokens that each pick
    /// <c>a</c> of <c>E</c> experts uniformly: E·(1 − (1 − a/E)^tokens). It is 1 for dense models.</summary>
    /// <param name="model">The model.</param>
    /// <param name="tokens">Tokens in the step.</param>
    /// <returns>Experts whose weights the step reads.</returns>
    public static double TouchedExperts(ModelArchitecture model, double tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsMixtureOfExperts)
        {
            return 1.0;
        }

        double e = model.Experts;
        double untouched = Math.Pow(1.0 - (model.ActiveExperts / e), tokens);
        return Math.Max(model.ActiveExperts, e * (1.0 - untouched));
    }

    /// <summary>The decode step of <paramref name="batch"/> sequences on one stage.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="stageIndex">The stage.</param>
    /// <param name="batch">Sequences decoded in the step (its micro-batch).</param>
    /// <param name="meanContext">The mean KV length of those sequences, in tokens.</param>
    /// <returns>The step time, its all-reduce part, and what bounds the matrix products.</returns>
    public static (Seconds Total, Seconds TensorParallel, Bound Bound) DecodeStep(Deployment deployment, int stageIndex, double batch, double meanContext)
    {
        LayerTime layer = DecodeLayer(deployment, stageIndex, batch, meanContext);
        int layers = deployment.Stages[stageIndex].LayerCount;
        Seconds total = layer.Total * layers;
        if (stageIndex == deployment.Stages.Count - 1)
        {
            total += LmHead(deployment, stageIndex, batch);
        }

        return (total, layer.TensorParallel * layers, layer.Bound);
    }

    /// <summary>The prefill of one prompt of <paramref name="promptTokens"/> tokens on one stage (causal attention; logits
    /// for the last token only).</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="stageIndex">The stage.</param>
    /// <param name="promptTokens">The prompt length S.</param>
    /// <returns>The prefill time.</returns>
    public static Seconds Prefill(Deployment deployment, int stageIndex, double promptTokens)
    {
        Seconds total = PrefillLayer(deployment, stageIndex, 1.0, promptTokens).Total * deployment.Stages[stageIndex].LayerCount;
        if (stageIndex == deployment.Stages.Count - 1)
        {
            total += LmHead(deployment, stageIndex, 1.0);
        }

        return total;
    }

    /// <summary>One decoder layer of a decode step of <paramref name="batch"/> sequences on one GPU of the stage.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="stageIndex">The stage.</param>
    /// <param name="batch">Sequences decoded in the step.</param>
    /// <param name="meanContext">The mean KV length of those sequences, in tokens.</param>
    /// <returns>The layer's time: matrix products, attention and two all-reduces.</returns>
    public static LayerTime DecodeLayer(Deployment deployment, int stageIndex, double batch, double meanContext)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var (heads, headDim, kvPerToken) = AttentionShape(deployment, stageIndex);
        return Layer(deployment, stageIndex, batch, 4.0 * batch * meanContext * heads * headDim, batch * meanContext * kvPerToken);
    }

    /// <summary>One decoder layer of the prefill of <paramref name="prompts"/> prompts of <paramref name="promptTokens"/>
    /// tokens each, processed together (the layer's weights are read once) on one GPU of the stage.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="stageIndex">The stage.</param>
    /// <param name="prompts">Prompts prefilled together.</param>
    /// <param name="promptTokens">The prompt length S.</param>
    /// <returns>The layer's time: matrix products, causal attention and two all-reduces.</returns>
    public static LayerTime PrefillLayer(Deployment deployment, int stageIndex, double prompts, double promptTokens)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var (heads, headDim, kvPerToken) = AttentionShape(deployment, stageIndex);
        double tokens = prompts * promptTokens;
        return Layer(deployment, stageIndex, tokens, 2.0 * prompts * promptTokens * promptTokens * heads * headDim, tokens * kvPerToken);
    }

    /// <summary>One decoder layer of a step that decodes some sequences and prefills chunks of prompts together
    /// (continuous batching with chunked prefill), on one GPU of the stage. The matrix products run every token of the
    /// step and read the weights once; attention reads each decoded sequence's KV cache and, for each chunk, attends
    /// causally over the prompt up to it.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="stageIndex">The stage.</param>
    /// <param name="batch">What the step holds.</param>
    /// <returns>The layer's time: matrix products, attention and two all-reduces.</returns>
    /// <remarks>With no chunk it equals <see cref="DecodeLayer"/> at the batch's mean context; with one whole prompt and
    /// no decode it equals <see cref="PrefillLayer"/> of one prompt.</remarks>
    public static LayerTime MixedLayer(Deployment deployment, int stageIndex, MixedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var (heads, headDim, kvPerToken) = AttentionShape(deployment, stageIndex);
        double attentionFlops = 4.0 * heads * headDim * (batch.DecodeContextTokens + batch.PrefillAttendedPairs);
        double kvTokens = batch.DecodeContextTokens + batch.PrefillEarlierTokens + batch.PrefillTokens;
        return Layer(deployment, stageIndex, batch.DecodeSequences + batch.PrefillTokens, attentionFlops, kvTokens * kvPerToken);
    }

    /// <summary>A layer that runs <paramref name="tokens"/> tokens through the matrix products (reading the weights of
    /// the experts they touch), attention of <paramref name="attentionFlops"/> over <paramref name="kvBytes"/> of KV cache,
    /// and two all-reduces of the tokens' hidden states.</summary>
    private static LayerTime Layer(Deployment deployment, int stageIndex, double tokens, double attentionFlops, double kvBytes)
    {
        var rates = new Rates(deployment, stageIndex);
        ModelArchitecture model = deployment.Model;
        PipelineStage stage = deployment.Stages[stageIndex];
        double t = stage.TensorParallel;

        double weightBytes = LayerWeightBytesRead(deployment, TouchedExperts(model, tokens)) / t;
        double gemmFlops = 2.0 * tokens * model.ActiveParametersPerLayer / t;
        double gemmCompute = gemmFlops / rates.Gemm;
        double gemmMemory = weightBytes / rates.Memory;
        double gemm = Math.Max(gemmCompute, gemmMemory);
        double attention = Math.Max(attentionFlops / rates.Attention, kvBytes / rates.Memory);
        double allReduce = 2.0 * AllReduce(stage, tokens * model.HiddenSize * MemoryModel.ActivationBytes);
        return new LayerTime(Seconds.FromSeconds(gemm + attention + allReduce), Seconds.FromSeconds(allReduce), gemmCompute >= gemmMemory ? Bound.Compute : Bound.Memory);
    }

    /// <summary>The attention heads of one GPU of the stage, the head dim, and the KV bytes of one token in one layer on
    /// that GPU.</summary>
    private static (double HeadsPerGpu, double HeadDim, double KvBytesPerToken) AttentionShape(Deployment deployment, int stageIndex)
    {
        ModelArchitecture model = deployment.Model;
        PipelineStage stage = deployment.Stages[stageIndex];
        return (model.AttentionHeads / (double)stage.TensorParallel, model.HeadDim, MemoryModel.KvBytesPerTokenPerLayer(model, deployment.KvCache, stage.TensorParallel).Value);
    }

    /// <summary>The LM head for <paramref name="tokens"/> tokens on the stage's GPUs: a d×V/t product in 16 bits that reads
    /// the head once.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="stageIndex">The stage holding the head (the last).</param>
    /// <param name="tokens">Tokens whose logits are computed.</param>
    /// <returns>The head's time.</returns>
    public static Seconds LmHead(Deployment deployment, int stageIndex, double tokens)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var rates = new Rates(deployment, stageIndex);
        ModelArchitecture model = deployment.Model;
        double parameters = (double)model.EmbeddingParameters / deployment.Stages[stageIndex].TensorParallel;
        return Seconds.FromSeconds(Math.Max(2.0 * tokens * parameters / rates.Attention, parameters * MemoryModel.EmbeddingBytesPerParameter / rates.Memory));
    }

    /// <summary>The time to send the hidden states of <paramref name="tokens"/> tokens from stage i to stage i + 1.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="linkIndex">The link (i).</param>
    /// <param name="tokens">Tokens whose hidden states cross.</param>
    /// <returns>The transfer time: bytes over the link bandwidth plus the sending GPU's step latency (one send is one step
    /// of a collective).</returns>
    public static Seconds StageTransfer(Deployment deployment, int linkIndex, double tokens)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return StageTransfer(deployment.Model, deployment.StageLinks[linkIndex], deployment.Stages[linkIndex].Gpu, tokens);
    }

    /// <summary>The time to send the hidden states of <paramref name="tokens"/> tokens over a link between two stages.</summary>
    /// <param name="model">The model.</param>
    /// <param name="link">The link's bandwidth in one direction.</param>
    /// <param name="sender">The sending stage's GPU (its step latency).</param>
    /// <param name="tokens">Tokens whose hidden states cross.</param>
    /// <returns>The transfer time.</returns>
    public static Seconds StageTransfer(ModelArchitecture model, BytesPerSecond link, GpuSpec sender, double tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sender);
        Bytes message = Bytes.FromBytes(tokens * model.HiddenSize * MemoryModel.ActivationBytes);
        return (message / link) + sender.Calibration.CollectiveLatency;
    }

    /// <summary>One ring all-reduce of <paramref name="messageBytes"/> over the stage's TP group, in seconds; zero at t = 1.
    /// The ring takes 2(t − 1) steps (a reduce-scatter and an all-gather of t − 1 each), each sending 1/t of the message
    /// to the next GPU and paying the step latency α (the GPU's <see cref="GpuCalibration.CollectiveLatency"/>).</summary>
    private static double AllReduce(PipelineStage stage, double messageBytes)
    {
        int t = stage.TensorParallel;
        if (t == 1)
        {
            return 0.0;
        }

        double steps = 2.0 * (t - 1);
        double transfer = steps / t * messageBytes / (stage.TensorParallelBandwidth.Value * stage.Gpu.Calibration.LinkEfficiency);
        return transfer + (steps * stage.Gpu.Calibration.CollectiveLatency.Value);
    }

    /// <summary>The bytes of one layer's weights a step reads when it touches <paramref name="experts"/> experts.</summary>
    private static double LayerWeightBytesRead(Deployment deployment, double experts)
    {
        ModelArchitecture model = deployment.Model;
        double parameters = model.AttentionParametersPerLayer + (experts * model.ExpertParameters) + model.RouterParametersPerLayer;
        return parameters * deployment.Weights.BytesPerElement();
    }

    /// <summary>The effective rates of one GPU of a stage, in operations or bytes per second.</summary>
    private readonly struct Rates
    {
        public Rates(Deployment deployment, int stageIndex)
        {
            GpuSpec gpu = deployment.Stages[stageIndex].Gpu;
            GpuCalibration calibration = gpu.Calibration;
            Gemm = deployment.Weights.PeakFor(gpu).Value * calibration.ComputeEfficiency;
            Attention = gpu.Fp16Peak.Value * calibration.ComputeEfficiency;
            Memory = gpu.MemoryBandwidth.Value * calibration.MemoryEfficiency;
        }

        /// <summary>Gets the matrix-product rate for the weight precision.</summary>
        public double Gemm { get; }

        /// <summary>Gets the 16-bit rate (attention, LM head).</summary>
        public double Attention { get; }

        /// <summary>Gets the memory rate.</summary>
        public double Memory { get; }
    }
}

/// <summary>The time of one decoder layer on one GPU of a stage.</summary>
/// <param name="Total">Matrix products, attention and the two all-reduces.</param>
/// <param name="TensorParallel">The all-reduce part of <paramref name="Total"/>.</param>
/// <param name="Bound">What limits the matrix products.</param>
public readonly record struct LayerTime(Seconds Total, Seconds TensorParallel, Bound Bound);
