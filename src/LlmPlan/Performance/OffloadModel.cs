using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Performance;

/// <summary>A batch job's unit of work: <see cref="BatchSize"/> sequences prefilled together and then decoded together
/// for <see cref="OutputTokens"/> tokens (static batching, as FlexGen and InferSave run it).</summary>
/// <param name="BatchSize">Sequences in the batch B.</param>
/// <param name="InputTokens">Prompt tokens per sequence S.</param>
/// <param name="OutputTokens">Generated tokens per sequence O, at least 1.</param>
public sealed record BatchWorkload(int BatchSize, int InputTokens, int OutputTokens);

/// <summary>Which decoder layers keep their KV cache, and their weights, in host memory. Offload is per whole layer:
/// the engine streams a layer's host-resident part over the host link before the layer runs.</summary>
/// <param name="KvLayers">Layers whose KV cache lives in host memory (0 … layers).</param>
/// <param name="WeightLayers">Layers whose weights live in host memory (0 … layers).</param>
public readonly record struct OffloadPlacement(int KvLayers, int WeightLayers)
{
    /// <summary>Gets the placement that keeps everything on the GPU.</summary>
    public static OffloadPlacement None => default;
}

/// <summary>The knobs of the offload model.</summary>
public sealed record OffloadSettings
{
    /// <summary>Gets the default settings.</summary>
    public static OffloadSettings Default { get; } = new();

    /// <summary>Gets the fraction of GPU memory, and of host memory, a plan may fill (the rest is left to the CUDA
    /// context, the operating system and allocator fragmentation). Default 0.9.</summary>
    public double SafetyFactor { get; init; } = 0.9;

    /// <summary>Gets a value indicating whether the engine overlaps a layer's host transfers with the previous layer's
    /// compute (FlexGen does; default true). Without overlap the two add up.</summary>
    public bool Overlap { get; init; } = true;

    /// <summary>Gets the host-to-GPU copy rate to use instead of the GPU's, or null.</summary>
    public BytesPerSecond? HostToDevice { get; init; }

    /// <summary>Gets the GPU-to-host copy rate to use instead of the GPU's, or null.</summary>
    public BytesPerSecond? DeviceToHost { get; init; }

    /// <summary>Gets the memory each GPU needs outside weights, activations and KV cache (CUDA context, workspaces).
    /// Default 1 GiB, as <see cref="EngineSettings.RuntimeReserve"/>.</summary>
    public Bytes RuntimeReserve { get; init; } = EngineSettings.Default.RuntimeReserve;
}

/// <summary>The memory of an offloaded batch on one GPU and in host memory.</summary>
/// <param name="GpuUsable">GPU memory a plan may fill: capacity × safety factor.</param>
/// <param name="Weights">All weights one GPU serves (its TP shard of every layer, embedding and head).</param>
/// <param name="WeightsOnGpu">The part of <paramref name="Weights"/> resident on the GPU.</param>
/// <param name="KvCache">The KV cache of the batch at full length on one GPU (every layer).</param>
/// <param name="KvOnGpu">The part of <paramref name="KvCache"/> resident on the GPU.</param>
/// <param name="Activations">The activation workspace and runtime reserve.</param>
/// <param name="Staging">GPU buffers that receive streamed layers: two layers (double-buffered) of each offloaded kind.</param>
/// <param name="HostUsable">Host memory a plan may fill (instance memory × safety factor), or null when unknown.</param>
/// <param name="HostUsed">Host memory the offloaded KV and weights of every GPU of the machine take.</param>
public sealed record OffloadMemory(
    Bytes GpuUsable,
    Bytes Weights,
    Bytes WeightsOnGpu,
    Bytes KvCache,
    Bytes KvOnGpu,
    Bytes Activations,
    Bytes Staging,
    Bytes? HostUsable,
    Bytes HostUsed)
{
    /// <summary>Gets the GPU memory the plan needs.</summary>
    public Bytes GpuUsed => WeightsOnGpu + KvOnGpu + Activations + Staging;

    /// <summary>Gets a value indicating whether the GPU part fits.</summary>
    public bool FitsGpu => GpuUsed <= GpuUsable;

    /// <summary>Gets a value indicating whether the host part fits (nothing offloaded always fits).</summary>
    public bool FitsHost => HostUsed.Value <= 0 || (HostUsable is { } usable && HostUsed <= usable);
}

/// <summary>The predicted run of one batch with part of its KV cache (and weights) in host memory.</summary>
/// <param name="Placement">What lives in host memory.</param>
/// <param name="Layers">The model's decoder layers.</param>
/// <param name="Memory">The memory breakdown.</param>
/// <param name="HostToDevice">The host-to-GPU copy rate used.</param>
/// <param name="DeviceToHost">The GPU-to-host copy rate used.</param>
/// <param name="Prefill">The prefill of the batch, which also yields each sequence's first token (time to first token).</param>
/// <param name="Decode">The O − 1 decode steps.</param>
/// <param name="PrefillTransfer">The host-link time inside <paramref name="Prefill"/>'s layers (overlapped or not).</param>
/// <param name="DecodeTransfer">The host-link time of all decode steps (overlapped or not).</param>
public sealed record OffloadRun(
    OffloadPlacement Placement,
    int Layers,
    OffloadMemory Memory,
    BytesPerSecond HostToDevice,
    BytesPerSecond DeviceToHost,
    Seconds Prefill,
    Seconds Decode,
    Seconds PrefillTransfer,
    Seconds DecodeTransfer)
{
    /// <summary>Gets the time of the whole batch.</summary>
    public Seconds Total => Prefill + Decode;

    /// <summary>Gets the fraction of the KV cache in host memory.</summary>
    public double KvOffloadFraction => Placement.KvLayers / (double)Layers;

    /// <summary>Gets the fraction of the decoder layers' weights in host memory.</summary>
    public double WeightOffloadFraction => Placement.WeightLayers / (double)Layers;
}

/// <summary>The performance model with part of the KV cache, and optionally of the weights, in host memory
/// (docs/model.md, "Offload"). Per decode step every layer computes as in <see cref="StageTimeModel"/>; a layer whose KV
/// lives in host memory first streams that KV (the batch × context × per-token bytes) over the host link and writes the
/// new token's KV back, and a layer whose weights live there streams them; with overlap a layer takes the longer of its
/// compute and its transfer, without it their sum. Prefill writes the offloaded layers' KV to the host.</summary>
public static class OffloadModel
{
    /// <summary>The memory of a batch under a placement.</summary>
    /// <param name="deployment">A one-stage deployment (TP t over the machine's GPUs).</param>
    /// <param name="workload">The batch.</param>
    /// <param name="placement">What lives in host memory.</param>
    /// <param name="hostMemory">The machine's host memory, or null when unknown.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>The breakdown.</returns>
    public static OffloadMemory Memory(Deployment deployment, BatchWorkload workload, OffloadPlacement placement, Bytes? hostMemory, OffloadSettings settings) =>
        new MemoryLayout(deployment, workload, hostMemory, settings).At(placement);

    /// <summary>Predicts the run of one batch under a placement (whether it fits is in <see cref="OffloadRun.Memory"/>).</summary>
    /// <param name="deployment">A one-stage deployment.</param>
    /// <param name="workload">The batch.</param>
    /// <param name="placement">What lives in host memory.</param>
    /// <param name="hostMemory">The machine's host memory, or null when unknown.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>The run.</returns>
    public static OffloadRun Run(Deployment deployment, BatchWorkload workload, OffloadPlacement placement, Bytes? hostMemory, OffloadSettings settings)
    {
        OffloadMemory memory = Memory(deployment, workload, placement, hostMemory, settings);
        GpuSpec gpu = deployment.Stages[0].Gpu;
        BytesPerSecond toDevice = settings.HostToDevice ?? gpu.HostToDeviceBandwidth;
        BytesPerSecond toHost = settings.DeviceToHost ?? gpu.DeviceToHostBandwidth;
        int layers = deployment.Stages[0].LayerCount;

        // Layers fall in four groups; offloaded weights go to layers whose KV stays on the GPU first, so transfers
        // spread over as many layers' compute as they can.
        int both = Math.Max(0, placement.KvLayers + placement.WeightLayers - layers);
        int kvOnly = placement.KvLayers - both;
        int weightsOnly = placement.WeightLayers - both;
        int resident = layers - kvOnly - weightsOnly - both;
        double b = workload.BatchSize;
        double kvPerToken = MemoryModel.KvBytesPerTokenPerLayer(deployment.Model, deployment.KvCache, deployment.Stages[0].TensorParallel).Value;
        double weightsIn = LayerWeights(deployment).Value / toDevice.Value;
        Seconds overhead = gpu.Calibration.Overhead(b);

        // Prefill: the batch's prompts go through each layer together; an offloaded layer writes its new KV to the host.
        double prefillCompute = StageTimeModel.PrefillLayer(deployment, 0, b, workload.InputTokens).Total.Value;
        double kvOut = b * workload.InputTokens * kvPerToken / toHost.Value;
        var (prefill, prefillTransfer) = Layers(prefillCompute, kvOut, weightsIn, resident, kvOnly, weightsOnly, both, settings.Overlap);
        Seconds prefillTime = Seconds.FromSeconds(prefill) + StageTimeModel.LmHead(deployment, 0, b) + overhead;

        // Decode step j (1 … O − 1) reads S + j tokens of KV per sequence and writes one.
        double decode = 0;
        double decodeTransfer = 0;
        for (int j = 1; j < workload.OutputTokens; j++)
        {
            double context = workload.InputTokens + j;
            double compute = StageTimeModel.DecodeLayer(deployment, 0, b, context).Total.Value;
            double kvIn = (b * context * kvPerToken / toDevice.Value) + (b * kvPerToken / toHost.Value);
            var (step, transfer) = Layers(compute, kvIn, weightsIn, resident, kvOnly, weightsOnly, both, settings.Overlap);
            decode += step;
            decodeTransfer += transfer;
        }

        Seconds head = StageTimeModel.LmHead(deployment, 0, b);
        Seconds decodeTime = Seconds.FromSeconds(decode) + ((head + overhead) * (workload.OutputTokens - 1));
        return new OffloadRun(placement, layers, memory, toDevice, toHost, prefillTime, decodeTime, Seconds.FromSeconds(prefillTransfer), Seconds.FromSeconds(decodeTransfer));
    }

    /// <summary>The placement that offloads least and fits: the fewest weight layers (none unless
    /// <paramref name="allowWeights"/>), then the fewest KV layers. Offloading more at the same batch never makes a
    /// step faster (it only adds transfers), so this is the best placement for the batch.</summary>
    /// <param name="deployment">A one-stage deployment.</param>
    /// <param name="workload">The batch.</param>
    /// <param name="hostMemory">The machine's host memory, or null when unknown (then nothing can be offloaded).</param>
    /// <param name="settings">The settings.</param>
    /// <param name="allowWeights">Whether weights may be offloaded.</param>
    /// <returns>The placement, or null and why nothing fits.</returns>
    public static (OffloadPlacement? Placement, string Problem) SmallestPlacement(Deployment deployment, BatchWorkload workload, Bytes? hostMemory, OffloadSettings settings, bool allowWeights)
    {
        var layout = new MemoryLayout(deployment, workload, hostMemory, settings);
        if (FirstFit(layout, allowWeights, needHost: true) is { } placement)
        {
            return (placement, string.Empty);
        }

        return (null, Explain(layout, hostMemory, settings, allowWeights));
    }

    /// <summary>Why no placement fits, with the numbers of the placement that offloads the most.</summary>
    private static string Explain(MemoryLayout layout, Bytes? hostMemory, OffloadSettings settings, bool allowWeights)
    {
        int layers = layout.Layers;
        OffloadMemory none = layout.At(OffloadPlacement.None);
        if (hostMemory is null)
        {
            return Invariant.Text($"the batch needs {none.GpuUsed.Gibibytes:0.00} GiB per GPU but {none.GpuUsable.Gibibytes:0.00} GiB is usable, and the host memory of the machine is unknown, so nothing can be offloaded.");
        }

        OffloadMemory most = layout.At(new OffloadPlacement(layers, allowWeights ? layers : 0));
        if (!most.FitsGpu)
        {
            Bytes resident = most.WeightsOnGpu + most.Activations;
            return allowWeights
                ? Invariant.Text($"even with every layer's weights and KV cache in host memory the GPU needs {most.GpuUsed.Gibibytes:0.00} GiB (embeddings and head {most.WeightsOnGpu.Gibibytes:0.00}, activations {most.Activations.Gibibytes:0.00}, staging buffers {most.Staging.Gibibytes:0.00}) but {most.GpuUsable.Gibibytes:0.00} GiB is usable; {(most.GpuUsed - most.GpuUsable).Gibibytes:0.00} GiB over.")
                : resident > most.GpuUsable
                    ? Invariant.Text($"weights alone do not fit: weights ({most.WeightsOnGpu.Gibibytes:0.00} GiB) and activations ({most.Activations.Gibibytes:0.00} GiB) need {resident.Gibibytes:0.00} GiB but {most.GpuUsable.Gibibytes:0.00} GiB is usable; {(resident - most.GpuUsable).Gibibytes:0.00} GiB over. Allow weight offload (--allow-weight-offload), a smaller precision or a larger GPU.")
                    : Invariant.Text($"with all KV cache in host memory the GPU still needs {most.GpuUsed.Gibibytes:0.00} GiB (weights {most.WeightsOnGpu.Gibibytes:0.00}, activations {most.Activations.Gibibytes:0.00}, two layers of KV staging {most.Staging.Gibibytes:0.00}) but {most.GpuUsable.Gibibytes:0.00} GiB is usable; {(most.GpuUsed - most.GpuUsable).Gibibytes:0.00} GiB over. Use a smaller batch, or allow weight offload.");
        }

        // The GPU fits once enough is offloaded, so host memory is what runs out.
        OffloadPlacement needed = FirstFit(layout, allowWeights, needHost: false) ?? new OffloadPlacement(layers, allowWeights ? layers : 0);
        OffloadMemory at = layout.At(needed);
        return Invariant.Text($"host memory too small: the GPU fits only with {needed.KvLayers} of {layers} layers' KV{(needed.WeightLayers > 0 ? Invariant.Text($" and {needed.WeightLayers} layers' weights") : string.Empty)} in host memory, which takes {at.HostUsed.Gibibytes:0.00} GiB but {at.HostUsable!.Value.Gibibytes:0.00} GiB of host memory is usable ({hostMemory.Value.Gibibytes:0.##} GiB × {settings.SafetyFactor:0.##}); {(at.HostUsed - at.HostUsable.Value).Gibibytes:0.00} GiB over.");
    }

    /// <summary>The first placement in offload order (weight layers, then KV layers) that fits the GPU, and host memory
    /// too when <paramref name="needHost"/>; null when none does.</summary>
    private static OffloadPlacement? FirstFit(MemoryLayout layout, bool allowWeights, bool needHost)
    {
        for (int w = 0; w <= (allowWeights ? layout.Layers : 0); w++)
        {
            for (int k = 0; k <= layout.Layers; k++)
            {
                OffloadMemory memory = layout.At(new OffloadPlacement(k, w));
                if (needHost && !memory.FitsHost)
                {
                    // More KV in host memory only needs more host memory.
                    break;
                }

                if (memory.FitsGpu)
                {
                    return new OffloadPlacement(k, w);
                }
            }
        }

        return null;
    }

    /// <summary>The time of all layers of one pass, and its transfer part: resident layers compute; offloaded ones also
    /// move their KV (<paramref name="kvTransfer"/>) and/or weights (<paramref name="weightTransfer"/>).</summary>
    private static (double Time, double Transfer) Layers(double compute, double kvTransfer, double weightTransfer, int resident, int kvOnly, int weightsOnly, int both, bool overlap)
    {
        double Layer(double transfer) => overlap ? Math.Max(compute, transfer) : compute + transfer;
        double time = (resident * compute) + (kvOnly * Layer(kvTransfer)) + (weightsOnly * Layer(weightTransfer)) + (both * Layer(kvTransfer + weightTransfer));
        double transfer = (kvOnly * kvTransfer) + (weightsOnly * weightTransfer) + (both * (kvTransfer + weightTransfer));
        return (time, transfer);
    }

    /// <summary>One decoder layer's weights on one GPU.</summary>
    private static Bytes LayerWeights(Deployment deployment) =>
        Bytes.FromBytes(deployment.Model.ParametersPerLayer * deployment.Weights.BytesPerElement() / deployment.Stages[0].TensorParallel);

    /// <summary>One layer's KV cache of the whole batch at full length on one GPU.</summary>
    private static Bytes LayerKv(Deployment deployment, BatchWorkload workload) =>
        MemoryModel.KvBytesPerTokenPerLayer(deployment.Model, deployment.KvCache, deployment.Stages[0].TensorParallel)
        * ((double)workload.BatchSize * (workload.InputTokens + workload.OutputTokens));

    /// <summary>The parts of a batch's memory that do not depend on the placement, computed once; <see cref="At"/> adds
    /// a placement.</summary>
    private sealed class MemoryLayout
    {
        private readonly Deployment _deployment;
        private readonly Bytes _layerWeights;
        private readonly Bytes _layerKv;
        private readonly Bytes _weights;
        private readonly Bytes _activations;
        private readonly Bytes _gpuUsable;
        private readonly Bytes? _hostUsable;

        public MemoryLayout(Deployment deployment, BatchWorkload workload, Bytes? hostMemory, OffloadSettings settings)
        {
            ArgumentNullException.ThrowIfNull(deployment);
            ArgumentNullException.ThrowIfNull(workload);
            ArgumentNullException.ThrowIfNull(settings);
            Check(deployment, OffloadPlacement.None);
            var engine = EngineSettings.Default with
            {
                MaxBatchedTokens = (int)Math.Min(EngineSettings.Default.MaxBatchedTokens, (long)workload.BatchSize * workload.InputTokens),
                MaxSequences = workload.BatchSize,
                RuntimeReserve = settings.RuntimeReserve,
            };
            _deployment = deployment;
            Layers = deployment.Stages[0].LayerCount;
            _layerWeights = LayerWeights(deployment);
            _layerKv = LayerKv(deployment, workload);
            _weights = MemoryModel.WeightsPerGpu(deployment, 0);
            _activations = MemoryModel.ActivationsPerGpu(deployment, 0, engine);
            _gpuUsable = deployment.Stages[0].Gpu.Memory * settings.SafetyFactor;
            _hostUsable = hostMemory is { } host ? host * settings.SafetyFactor : null;
        }

        /// <summary>Gets the decoder layers.</summary>
        public int Layers { get; }

        /// <summary>The memory under a placement.</summary>
        public OffloadMemory At(OffloadPlacement placement)
        {
            Check(_deployment, placement);
            Bytes staging = (_layerKv * Math.Min(placement.KvLayers, 2)) + (_layerWeights * Math.Min(placement.WeightLayers, 2));
            Bytes hostPerGpu = (_layerKv * placement.KvLayers) + (_layerWeights * placement.WeightLayers);
            return new OffloadMemory(
                _gpuUsable,
                _weights,
                _weights - (_layerWeights * placement.WeightLayers),
                _layerKv * Layers,
                _layerKv * (Layers - placement.KvLayers),
                _activations,
                staging,
                _hostUsable,
                hostPerGpu * _deployment.Stages[0].TensorParallel);
        }
    }

    private static void Check(Deployment deployment, OffloadPlacement placement)
    {
        if (deployment.Stages.Count != 1)
        {
            throw new ArgumentException("The offload model runs one stage (one machine); pipeline stages are not supported.", nameof(deployment));
        }

        int layers = deployment.Stages[0].LayerCount;
        if (placement.KvLayers < 0 || placement.KvLayers > layers || placement.WeightLayers < 0 || placement.WeightLayers > layers)
        {
            throw new ArgumentOutOfRangeException(nameof(placement), placement, $"Offloaded layers must be within 0 … {layers}.");
        }
    }
}
