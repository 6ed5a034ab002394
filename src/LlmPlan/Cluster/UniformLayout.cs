using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Cluster;

/// <summary>Builds the uniform deployment "TP t × PP p" of one model on one kind of hardware.</summary>
/// <remarks>Layers are split evenly, the remainder going to the first stages (as the seed's eval mode does). On instances,
/// each instance hosts ⌊GPUs / t⌋ stages in GPU-id order and a stage never spans instances; consecutive stages in one
/// instance talk over its interconnect, across instances over the instance network (10 Gbit/s when the catalog does not
/// say). Bare GPUs are taken to share one NVLink domain if they have NVLink, else PCIe. Cost: whole instances, or the
/// GPUs used at their per-GPU price (bare GPUs, and instances billed per GPU).</remarks>
public static class UniformLayout
{
    /// <summary>The network assumed between instances whose bandwidth the catalog does not give: 10 Gbit/s.</summary>
    public static readonly BytesPerSecond DefaultNetworkBandwidth = BytesPerSecond.FromGigabytesPerSecond(10.0 / 8.0);

    /// <summary>Builds the deployment, or returns why it cannot exist on that hardware.</summary>
    /// <param name="model">The model.</param>
    /// <param name="hardware">The hardware.</param>
    /// <param name="tensorParallel">The TP degree, at least 1.</param>
    /// <param name="pipelineParallel">The number of stages, at least 1.</param>
    /// <param name="weights">The weight precision.</param>
    /// <param name="kvCache">The KV-cache precision.</param>
    /// <returns>The deployment and an empty problem, or null and the problem.</returns>
    public static (Deployment? Deployment, string Problem) Build(
        ModelArchitecture model, Hardware hardware, int tensorParallel, int pipelineParallel, Precision weights, Precision kvCache)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentOutOfRangeException.ThrowIfLessThan(tensorParallel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pipelineParallel, 1);
        if (pipelineParallel > model.Layers)
        {
            return (null, Invariant.Text($"PP {pipelineParallel} exceeds the {model.Layers} layers of {model.Id}; a stage needs at least one layer."));
        }

        CloudInstance? instance = hardware.Instance;
        if (instance is not null && tensorParallel > instance.GpuCount)
        {
            return (null, Invariant.Text($"TP {tensorParallel} needs {tensorParallel} GPUs in one instance but {instance.Name} has {instance.GpuCount}; a TP group cannot span instances."));
        }

        int stagesPerInstance = instance is null ? pipelineParallel : instance.GpuCount / tensorParallel;
        BytesPerSecond intra = instance?.IntraInstanceBandwidth
            ?? (hardware.Gpu.HasNvlink ? hardware.Gpu.NvlinkBandwidthPerDirection : hardware.Gpu.PcieBandwidthPerDirection);
        BytesPerSecond inter = instance?.NetworkBandwidth ?? DefaultNetworkBandwidth;
        var stages = new List<PipelineStage>(pipelineParallel);
        var links = new List<BytesPerSecond>(pipelineParallel - 1);
        int first = 0;
        for (int s = 0; s < pipelineParallel; s++)
        {
            int layers = (model.Layers / pipelineParallel) + (s < model.Layers % pipelineParallel ? 1 : 0);
            int instanceIndex = s / stagesPerInstance;
            int firstGpu = s % stagesPerInstance * tensorParallel;
            stages.Add(new PipelineStage
            {
                Gpu = hardware.Gpu,
                TensorParallel = tensorParallel,
                FirstLayer = first,
                LayerCount = layers,
                TensorParallelBandwidth = intra,
                Instance = instance is null ? string.Empty : Invariant.Text($"{instance.Name}#{instanceIndex}"),
                GpuIds = [.. Enumerable.Range(firstGpu, tensorParallel)],
            });
            if (s > 0)
            {
                links.Add((s - 1) / stagesPerInstance == instanceIndex ? intra : inter);
            }

            first += layers;
        }

        int instances = (pipelineParallel + stagesPerInstance - 1) / stagesPerInstance;
        DollarsPerHour cost = instance is null
            ? hardware.PricePerGpu * (tensorParallel * pipelineParallel)
            : instance.BilledPerGpu ? instance.PricePerGpu * (tensorParallel * pipelineParallel) : instance.PricePerInstance * instances;
        return (new Deployment
        {
            Model = model,
            Weights = weights,
            KvCache = kvCache,
            Stages = stages,
            StageLinks = links,
            CostPerHour = cost,
        }, string.Empty);
    }

    /// <summary>The instances a uniform layout uses.</summary>
    /// <param name="instance">The instance type.</param>
    /// <param name="tensorParallel">The TP degree.</param>
    /// <param name="pipelineParallel">The stages.</param>
    /// <returns>The instance count.</returns>
    public static int InstancesUsed(CloudInstance instance, int tensorParallel, int pipelineParallel)
    {
        ArgumentNullException.ThrowIfNull(instance);
        int stagesPerInstance = Math.Max(1, instance.GpuCount / tensorParallel);
        return (pipelineParallel + stagesPerInstance - 1) / stagesPerInstance;
    }

}
