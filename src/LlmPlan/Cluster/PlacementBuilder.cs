using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Cluster;

/// <summary>One stage as a user or planner places it, before validation.</summary>
/// <param name="Where">The location for error messages (file, line, field).</param>
/// <param name="Instance">The machine, <c>name</c> or <c>name#k</c> (the k-th machine of that type, from 0), or null.</param>
/// <param name="Gpu">A bare GPU id (priced per GPU), or null.</param>
/// <param name="TensorParallel">The TP degree.</param>
/// <param name="FirstLayer">The first layer, 1-based.</param>
/// <param name="LastLayer">The last layer, 1-based, inclusive.</param>
/// <param name="GpuIds">The GPU ids inside the machine, or empty to take the next free ones.</param>
public sealed record StagePlacement(string Where, string? Instance, string? Gpu, int TensorParallel, int FirstLayer, int LastLayer, IReadOnlyList<int> GpuIds);

/// <summary>A stage a planner placed on the k-th machine of an instance type of a pool.</summary>
/// <param name="Instance">The instance type.</param>
/// <param name="MachineIndex">Which machine of that type (k in <c>name#k</c>, from 0).</param>
/// <param name="TensorParallel">The TP degree.</param>
/// <param name="FirstLayer">The first layer, 0-based.</param>
/// <param name="LayerCount">The layers.</param>
public sealed record MachineStage(CloudInstance Instance, int MachineIndex, int TensorParallel, int FirstLayer, int LayerCount);

/// <summary>Turns a list of placed stages into a <see cref="Deployment"/>, checking layers, machines and GPU ids.</summary>
/// <remarks>Stages on the same machine share its GPUs (each GPU serves one stage) and talk over its interconnect, as do
/// consecutive bare-GPU stages (one NVLink or PCIe domain, as in <see cref="UniformLayout"/>); stages on different
/// machines talk over the slower of their networks (10 Gbit/s when the catalog does not say).
/// Cost: each distinct machine at its instance price (or its GPUs used, when billed per GPU), plus bare-GPU stages at the
/// per-GPU price.</remarks>
public static class PlacementBuilder
{
    /// <summary>Builds the deployment, collecting every problem.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stages">The stages in pipeline order.</param>
    /// <param name="weights">The weight precision.</param>
    /// <param name="kvCache">The KV-cache precision.</param>
    /// <param name="catalog">The catalog.</param>
    /// <param name="errors">Collects the problems.</param>
    /// <param name="network">How machines talk, or null for the catalog's interconnects.</param>
    /// <returns>The deployment and where its price comes from, or null when a problem was found.</returns>
    public static (Deployment Deployment, string PriceSource)? Build(
        ModelArchitecture model, IReadOnlyList<StagePlacement> stages, Precision weights, Precision kvCache, HardwareCatalog catalog, InputErrors errors,
        ClusterNetwork? network = null)
    {
        network ??= ClusterNetwork.FromCatalog;
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(errors);
        int before = errors.All.Count;
        if (stages.Count == 0)
        {
            errors.Add("stages", "no stage is given. List at least one stage with its GPUs, TP degree and layers.");
            return null;
        }

        var usedGpus = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var machines = new Dictionary<string, CloudInstance>(StringComparer.Ordinal);
        var built = new List<PipelineStage>();
        var keys = new List<string>();
        DollarsPerHour gpuCost = DollarsPerHour.Zero;
        int expectedFirst = 1;
        foreach (StagePlacement stage in stages)
        {
            if (stage.FirstLayer != expectedFirst)
            {
                errors.Add(stage.Where, Invariant.Text($"starts at layer {stage.FirstLayer} but must start at {expectedFirst}: stages cover layers 1-{model.Layers} in order, without gaps or overlaps."));
            }

            if (stage.LastLayer < stage.FirstLayer)
            {
                errors.Add(stage.Where, Invariant.Text($"ends at layer {stage.LastLayer}, before its first layer {stage.FirstLayer}."));
            }

            expectedFirst = stage.LastLayer + 1;
            var resolved = Resolve(stage, catalog, machines, usedGpus, errors, network);
            if (resolved is null)
            {
                continue;
            }

            var (gpu, key, ids, bandwidth) = resolved.Value;
            if (key.Length == 0)
            {
                gpuCost += Hardware.ForGpu(gpu, catalog, null).PricePerGpu * stage.TensorParallel;
            }

            keys.Add(key);
            built.Add(new PipelineStage
            {
                Gpu = gpu, TensorParallel = stage.TensorParallel, FirstLayer = stage.FirstLayer - 1,
                LayerCount = Math.Max(1, stage.LastLayer - stage.FirstLayer + 1), TensorParallelBandwidth = bandwidth,
                Instance = key, GpuIds = ids,
            });
        }

        if (expectedFirst - 1 != model.Layers && errors.All.Count == before)
        {
            errors.Add(stages[^1].Where, Invariant.Text($"the last stage ends at layer {expectedFirst - 1} but {model.Id} has {model.Layers} layers; the stages must cover all of them."));
        }

        if (errors.All.Count > before)
        {
            return null;
        }

        var links = new List<BytesPerSecond>();
        for (int i = 1; i < built.Count; i++)
        {
            // Same machine, or two bare-GPU stages (taken to share one NVLink or PCIe domain, as in UniformLayout).
            links.Add(keys[i] == keys[i - 1] ? built[i].TensorParallelBandwidth : Network(machines, keys[i - 1], keys[i], network));
        }

        DollarsPerHour cost = machines.Select(m => m.Value.PriceFor(usedGpus[m.Key].Count)).Total() + gpuCost;
        string source = machines.Count > 0
            ? string.Join(" + ", machines.GroupBy(m => m.Value.Name, StringComparer.Ordinal).Select(g => Invariant.Text($"{g.Count()} × {g.Key}")))
            : "per GPU";
        var deployment = new Deployment { Model = model, Weights = weights, KvCache = kvCache, Stages = built, StageLinks = links, CostPerHour = cost };
        return (deployment, source);
    }

    /// <summary>Builds the deployment of stages already placed on machines of a pool (a planner's result): machine keys
    /// <c>name#k</c> in order of first use per type, each stage on the next free GPUs of its machine, links and cost by
    /// the same rules as <see cref="Build"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stages">The stages in pipeline order; their layers cover the model.</param>
    /// <param name="weights">The weight precision.</param>
    /// <param name="kvCache">The KV-cache precision.</param>
    /// <param name="network">How machines talk.</param>
    /// <returns>The deployment.</returns>
    public static Deployment Assemble(ModelArchitecture model, IReadOnlyList<MachineStage> stages, Precision weights, Precision kvCache, ClusterNetwork network)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(network);
        var machines = new Dictionary<string, CloudInstance>(StringComparer.Ordinal);
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var built = new List<PipelineStage>(stages.Count);
        foreach (MachineStage stage in stages)
        {
            string key = Invariant.Text($"{stage.Instance.Name}#{stage.MachineIndex}");
            machines[key] = stage.Instance;
            int first = used.TryGetValue(key, out int taken) ? taken : 0;
            if (first + stage.TensorParallel > stage.Instance.GpuCount)
            {
                throw new ArgumentException(Invariant.Text($"{key} has {stage.Instance.GpuCount} GPUs; TP {stage.TensorParallel} after {first} used does not fit."), nameof(stages));
            }

            used[key] = first + stage.TensorParallel;
            built.Add(new PipelineStage
            {
                Gpu = stage.Instance.Gpu, TensorParallel = stage.TensorParallel, FirstLayer = stage.FirstLayer, LayerCount = stage.LayerCount,
                TensorParallelBandwidth = network.Intra(stage.Instance), Instance = key, GpuIds = [.. Enumerable.Range(first, stage.TensorParallel)],
            });
        }

        var links = new List<BytesPerSecond>();
        for (int i = 1; i < built.Count; i++)
        {
            links.Add(built[i].Instance == built[i - 1].Instance ? built[i].TensorParallelBandwidth : Network(machines, built[i - 1].Instance, built[i].Instance, network));
        }

        DollarsPerHour cost = machines.Select(m => m.Value.PriceFor(used[m.Key])).Total();
        return new Deployment { Model = model, Weights = weights, KvCache = kvCache, Stages = built, StageLinks = links, CostPerHour = cost };
    }

    private static (GpuSpec Gpu, string Key, IReadOnlyList<int> Ids, BytesPerSecond Bandwidth)? Resolve(
        StagePlacement stage, HardwareCatalog catalog, Dictionary<string, CloudInstance> machines, Dictionary<string, HashSet<int>> used, InputErrors errors, ClusterNetwork network)
    {
        if ((stage.Instance is null) == (stage.Gpu is null))
        {
            errors.Add(stage.Where, "give exactly one of 'instance' (a catalog instance, optionally name#k for the k-th machine) or 'gpu' (a catalog GPU id).");
            return null;
        }

        if (stage.Gpu is not null)
        {
            GpuSpec? gpu = catalog.RequireGpu(stage.Gpu, stage.Where, errors);
            return gpu is null ? null : (gpu, string.Empty, stage.GpuIds, gpu.HasNvlink ? gpu.NvlinkBandwidthPerDirection : gpu.PcieBandwidthPerDirection);
        }

        string[] parts = stage.Instance!.Split('#');
        int index = 0;
        if (parts.Length > 2 || (parts.Length == 2 && !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)))
        {
            errors.Add(stage.Where, $"'{stage.Instance}' is not an instance key. Write the instance name, or name#k for its k-th machine (k from 0).");
            return null;
        }

        CloudInstance? instance = catalog.RequireInstance(parts[0], stage.Where, errors);
        if (instance is null)
        {
            return null;
        }

        string key = Invariant.Text($"{instance.Name}#{index}");
        machines[key] = instance;
        HashSet<int> taken = used.TryGetValue(key, out HashSet<int>? set) ? set : used[key] = [];
        IReadOnlyList<int> ids = stage.GpuIds;
        if (ids.Count == 0)
        {
            ids = [.. Enumerable.Range(0, instance.GpuCount).Where(i => !taken.Contains(i)).Take(stage.TensorParallel)];
        }

        if (ids.Count != stage.TensorParallel)
        {
            errors.Add(stage.Where, Invariant.Text($"TP {stage.TensorParallel} needs {stage.TensorParallel} GPUs of {key} but {(stage.GpuIds.Count > 0 ? $"{stage.GpuIds.Count} GPU ids are listed" : $"only {ids.Count} are free (it has {instance.GpuCount})")}."));
            return null;
        }

        foreach (int id in ids)
        {
            if (id < 0 || id >= instance.GpuCount)
            {
                errors.Add(stage.Where, Invariant.Text($"GPU id {id} does not exist on {key}, which has GPUs 0-{instance.GpuCount - 1}."));
            }
            else if (!taken.Add(id))
            {
                errors.Add(stage.Where, Invariant.Text($"GPU {id} of {key} already serves another stage; each GPU serves one stage."));
            }
        }

        return (instance.Gpu, key, ids, network.Intra(instance));
    }

    private static BytesPerSecond Network(Dictionary<string, CloudInstance> machines, string from, string to, ClusterNetwork network)
    {
        // A bare-GPU stage next to a machine talks over the machine's network (the catalog's default when it has none).
        if (from.Length > 0 && to.Length > 0)
        {
            return network.Between(machines[from], machines[to]);
        }

        BytesPerSecond Of(string key) => key.Length > 0 ? machines[key].NetworkBandwidth ?? UniformLayout.DefaultNetworkBandwidth : UniformLayout.DefaultNetworkBandwidth;
        BytesPerSecond a = Of(from);
        BytesPerSecond b = Of(to);
        return a <= b ? a : b;
    }
}
