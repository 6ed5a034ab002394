using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.IO.Seed;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.IO.Placement;

/// <summary>A placement problem read from a spec, with the batch sizes (engine sequence caps) to try.</summary>
/// <param name="Problem">The problem (its engine's sequence cap is the first batch size when several are given).</param>
/// <param name="BatchSizes">The engine sequence caps to try, ascending; empty to use the engine's own.</param>
public sealed record PlacementSpec(PlacementProblem Problem, IReadOnlyList<int> BatchSizes);

/// <summary>Reads a placement spec (YAML or JSON): model, precision, workload, pool (listed, or a seed gpu_pool.csv),
/// network, engine, objective and limits (docs/formats.md, "Placement spec").</summary>
public static class PlacementSpecFile
{
    private static readonly string[] Keys =
        ["model", "precision", "kv_precision", "workload", "provider", "pool", "pool_file", "network", "engine", "objective", "cost_weight", "priority", "tp_degrees", "batch_sizes", "limits"];

    private static readonly string[] LimitKeys =
    [
        "max_stages", "min_layers_per_stage", "min_memory_utilization", "max_cost_per_hour", "max_cost_per_million_tokens", "token_volume",
        "max_total_cost", "max_runtime_hours", "ttft_ms", "tpot_ms", "target_tokens_per_s", "target_requests_per_s", "max_replicas",
    ];

    /// <summary>The objective names of specs and flags.</summary>
    public static IReadOnlyDictionary<string, PlacementObjective> Objectives { get; } = new Dictionary<string, PlacementObjective>(StringComparer.Ordinal)
    {
        ["cost_per_million_tokens"] = PlacementObjective.CostPerMillionTokens,
        ["tokens_per_s"] = PlacementObjective.Throughput,
        ["cost_per_hour"] = PlacementObjective.CostPerHour,
        ["weighted"] = PlacementObjective.Weighted,
    };

    /// <summary>The seed's optimisation priorities and their cost weights.</summary>
    public static IReadOnlyDictionary<string, double> Priorities { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["throughput_first"] = 0.1,
        ["balanced"] = 0.5,
        ["cost_first"] = 0.9,
    };

    /// <summary>The name of an objective in specs, flags and outputs.</summary>
    /// <param name="objective">The objective.</param>
    /// <returns>Its name.</returns>
    public static string Name(PlacementObjective objective) => Objectives.First(o => o.Value == objective).Key;

    /// <summary>Reads and checks a spec.</summary>
    /// <param name="path">The spec file.</param>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="InputValidationException">Any problem; all are listed.</exception>
    public static PlacementSpec Read(string path, HardwareCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var errors = new InputErrors();
        SpecNode root = SpecNode.Load(path, Keys, errors);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";

        ModelArchitecture? model = PlacementFile.Required(root, "model", errors)?.Text(errors) is string id ? catalog.RequireModel(id, root.Child("model")!.Where, errors) : null;
        Precision weights = PlacementFile.ReadPrecision(root.Child("precision"), errors, kvOnly: false) ?? Precision.Bf16;
        Precision kv = PlacementFile.ReadPrecision(root.Child("kv_precision"), errors, kvOnly: true) ?? (weights == Precision.Fp16 ? Precision.Fp16 : Precision.Bf16);
        string provider = root.Child("provider")?.Text(errors)?.ToLowerInvariant() ?? "aws";
        if (!catalog.Providers.Contains(provider, StringComparer.Ordinal))
        {
            errors.Add(root.Child("provider")?.Where ?? root.Where, $"unknown provider '{provider}'. Use one of: {string.Join(", ", catalog.Providers)}.");
        }

        Workload? workload = ReadWorkload(PlacementFile.Required(root, "workload", errors), errors);
        InstancePool? pool = ReadPool(root, folder, catalog, provider, errors);
        EngineSettings engine = ReadEngine(root.Child("engine"), errors);
        ClusterNetwork network = ReadNetwork(root.Child("network"), folder, pool, errors);
        var (objective, weight) = ReadObjective(root, errors);
        IReadOnlyList<int> degrees = root.Child("tp_degrees") is SpecNode tpNode ? ReadDegrees(tpNode, errors) : [1, 2, 4, 8];
        IReadOnlyList<int> batches = root.Child("batch_sizes") is SpecNode batchNode ? ReadBatches(batchNode, errors) : [];
        PlacementConstraints limits = ReadLimits(root.Child("limits"), errors);
        errors.ThrowIfAny();
        var problem = new PlacementProblem
        {
            Model = model!, Weights = weights, KvCache = kv, Workload = workload!, Engine = batches.Count > 0 ? engine with { MaxSequences = batches[0] } : engine,
            Pool = pool!, Network = network, Objective = objective, CostWeight = weight, Constraints = limits, TensorParallelDegrees = degrees,
        };
        return new PlacementSpec(problem, batches);
    }

    private static Workload? ReadWorkload(SpecNode? node, InputErrors errors)
    {
        if (node is null)
        {
            return null;
        }

        node.RejectUnknownKeys(["input_tokens", "output_tokens", "concurrency"], errors);
        int? input = PlacementFile.Required(node, "input_tokens", errors)?.Integer(errors, 1);
        int? output = PlacementFile.Required(node, "output_tokens", errors)?.Integer(errors, 1);
        int? concurrency = null;
        if (node.Child("concurrency") is SpecNode c && c.Text(errors) is string text && text != "max")
        {
            concurrency = ValueParsing.Integer(text, c.Where, errors, 1);
        }

        return input is null || output is null ? null : new Workload(input.Value, output.Value, concurrency);
    }

    private static InstancePool? ReadPool(SpecNode root, string folder, HardwareCatalog catalog, string provider, InputErrors errors)
    {
        SpecNode? listed = root.Child("pool");
        SpecNode? file = root.Child("pool_file");
        if ((listed is null) == (file is null))
        {
            errors.Add(root.Where, "give exactly one of 'pool' (a list of - instance: NAME, count: N) and 'pool_file' (a seed gpu_pool.csv).");
            return null;
        }

        if (file is not null)
        {
            return file.Text(errors) is string name ? SeedPoolReader.Read(Path.Combine(folder, name), catalog, [], provider, errors) : null;
        }

        var entries = new List<PoolEntry>();
        var items = listed!.Items(errors);
        if (items.Count == 0)
        {
            errors.Add(listed.Where, "list at least one machine type, e.g. - instance: p4d.24xlarge, count: 2.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (SpecNode item in items)
        {
            item.RejectUnknownKeys(["instance", "count", "cost_per_hour"], errors);
            string? name = PlacementFile.Required(item, "instance", errors)?.Text(errors);
            int count = item.Child("count")?.Integer(errors, 1) ?? 1;
            double? price = item.Child("cost_per_hour")?.Number(errors, 0);
            CloudInstance? instance = name is null ? null : catalog.RequireInstance(name, item.Child("instance")!.Where, errors);
            if (instance is null)
            {
                continue;
            }

            if (!seen.Add(instance.Name))
            {
                errors.Add(item.Where, $"'{instance.Name}' is listed twice; keep one entry and add up the counts.");
                continue;
            }

            if (price is double p)
            {
                instance = instance with { QuotedPrice = DollarsPerHour.FromDollarsPerHour(p), PriceBasis = PriceBasis.Instance, BilledPerGpu = false };
            }

            entries.Add(new PoolEntry(instance, count));
        }

        return new InstancePool(entries);
    }

    private static EngineSettings ReadEngine(SpecNode? node, InputErrors errors)
    {
        EngineSettings engine = EngineSettings.Default;
        if (node is null)
        {
            return engine;
        }

        node.RejectUnknownKeys(["max_sequences", "gpu_memory_utilization", "max_batched_tokens"], errors);
        if (node.Child("max_sequences")?.Integer(errors, 1) is int cap)
        {
            engine = engine with { MaxSequences = cap };
        }

        if (node.Child("gpu_memory_utilization") is SpecNode u && u.Number(errors, 0, exclusiveMinimum: true) is double utilization)
        {
            if (utilization > 1)
            {
                errors.Add(u.Where, "must be at most 1 (a fraction of GPU memory, e.g. 0.9).");
            }

            engine = engine with { GpuMemoryUtilization = utilization };
        }

        if (node.Child("max_batched_tokens")?.Integer(errors, 1) is int tokens)
        {
            engine = engine with { MaxBatchedTokens = tokens };
        }

        return engine;
    }

    private static ClusterNetwork ReadNetwork(SpecNode? node, string folder, InstancePool? pool, InputErrors errors)
    {
        if (node is null)
        {
            return ClusterNetwork.FromCatalog;
        }

        node.RejectUnknownKeys(["intra_gb_per_s", "inter_gb_per_s", "matrix"], errors);
        if (node.Child("matrix") is SpecNode matrixNode)
        {
            if (node.Has("intra_gb_per_s") || node.Has("inter_gb_per_s"))
            {
                errors.Add(node.Where, "give either 'matrix' (a seed network_bandwidth.csv) or 'intra_gb_per_s' and 'inter_gb_per_s', not both.");
            }

            if (matrixNode.Text(errors) is string file && pool is not null)
            {
                NetworkMatrix? matrix = SeedNetworkReader.Read(Path.Combine(folder, file), pool.GpuCount, errors);
                return matrix is null ? ClusterNetwork.FromCatalog : ClusterNetwork.FromMatrix(matrix, pool);
            }

            return ClusterNetwork.FromCatalog;
        }

        double? intra = PlacementFile.Required(node, "intra_gb_per_s", errors)?.Number(errors, 0, exclusiveMinimum: true);
        double? inter = PlacementFile.Required(node, "inter_gb_per_s", errors)?.Number(errors, 0, exclusiveMinimum: true);
        return intra is null || inter is null
            ? ClusterNetwork.FromCatalog
            : ClusterNetwork.Generated(BytesPerSecond.FromGigabytesPerSecond(intra.Value), BytesPerSecond.FromGigabytesPerSecond(inter.Value));
    }

    private static (PlacementObjective Objective, double Weight) ReadObjective(SpecNode root, InputErrors errors)
    {
        var objective = PlacementObjective.CostPerMillionTokens;
        if (root.Child("objective") is SpecNode node && node.Text(errors) is string text)
        {
            if (Objectives.TryGetValue(text, out PlacementObjective parsed))
            {
                objective = parsed;
            }
            else
            {
                errors.Add(node.Where, $"'{text}' is not an objective. Use one of: {string.Join(", ", Objectives.Keys)}.");
            }
        }

        double weight = 0.5;
        SpecNode? weightNode = root.Child("cost_weight");
        SpecNode? priorityNode = root.Child("priority");
        if (weightNode is not null && priorityNode is not null)
        {
            errors.Add(root.Where, "give either 'cost_weight' or 'priority', not both.");
        }

        if (weightNode?.Number(errors, 0) is double w)
        {
            if (w >= 1)
            {
                errors.Add(weightNode.Where, "must be below 1: the weighted objective is tokens/s ÷ T_norm − w/(1 − w) × $/h ÷ C_norm.");
            }

            weight = w;
        }

        if (priorityNode?.Text(errors) is string priority)
        {
            if (Priorities.TryGetValue(priority, out double p))
            {
                weight = p;
            }
            else
            {
                errors.Add(priorityNode.Where, $"'{priority}' is not a priority. Use one of: {string.Join(", ", Priorities.Keys)}.");
            }
        }

        if ((weightNode is not null || priorityNode is not null) && objective != PlacementObjective.Weighted)
        {
            errors.Add((weightNode ?? priorityNode)!.Where, "only the weighted objective uses a cost weight; add 'objective: weighted' or drop it.");
        }

        return (objective, weight);
    }

    private static int[] ReadDegrees(SpecNode node, InputErrors errors)
    {
        var items = node.Items(errors);
        int?[] values = [.. items.Select(i => i.Integer(errors, 1))];
        for (int i = 0; i < items.Count; i++)
        {
            if (values[i] is int t && (t & (t - 1)) != 0)
            {
                errors.Add(items[i].Where, Invariant.Text($"{t} is not a power of two; TP degrees are 1, 2, 4, 8, 16 …"));
            }
        }

        if (items.Count == 0)
        {
            errors.Add(node.Where, "list at least one TP degree, e.g. [1, 2, 4, 8].");
        }

        return [.. values.OfType<int>().Distinct().Order()];
    }

    private static int[] ReadBatches(SpecNode node, InputErrors errors)
    {
        var items = node.Items(errors);
        if (items.Count == 0)
        {
            errors.Add(node.Where, "list at least one batch size (engine sequence cap), e.g. [32, 64, 128].");
        }

        return [.. items.Select(i => i.Integer(errors, 1)).OfType<int>().Distinct().Order()];
    }

    private static PlacementConstraints ReadLimits(SpecNode? node, InputErrors errors)
    {
        var limits = new PlacementConstraints();
        if (node is null)
        {
            return limits;
        }

        node.RejectUnknownKeys(LimitKeys, errors);
        double? Positive(string key) => node.Child(key)?.Number(errors, 0, exclusiveMinimum: true);
        limits = limits with
        {
            MaxStages = node.Child("max_stages")?.Integer(errors, 1) ?? limits.MaxStages,
            MinLayersPerStage = node.Child("min_layers_per_stage")?.Integer(errors, 1) ?? limits.MinLayersPerStage,
            MaxCostPerHour = Positive("max_cost_per_hour") is double cost ? DollarsPerHour.FromDollarsPerHour(cost) : null,
            MaxCostPerMillionTokens = Positive("max_cost_per_million_tokens") is double perMillion ? DollarsPerMillionTokens.FromDollarsPerMillionTokens(perMillion) : null,
            TokenVolume = Positive("token_volume") is double volume ? Tokens.FromCount(volume) : null,
            MaxTotalCost = Positive("max_total_cost") is double total ? Dollars.FromDollars(total) : null,
            MaxRuntime = Positive("max_runtime_hours") is double hours ? Seconds.FromHours(hours) : null,
            MaxTimeToFirstToken = Positive("ttft_ms") is double ttft ? Seconds.FromMilliseconds(ttft) : null,
            MaxTimePerOutputToken = Positive("tpot_ms") is double tpot ? Seconds.FromMilliseconds(tpot) : null,
            TargetTokensPerSecond = Positive("target_tokens_per_s") is double tps ? TokensPerSecond.FromTokensPerSecond(tps) : null,
            TargetRequestsPerSecond = Positive("target_requests_per_s"),
            MaxReplicas = node.Child("max_replicas")?.Integer(errors, 1),
        };
        if (node.Child("min_memory_utilization") is SpecNode u && u.Number(errors, 0) is double utilization)
        {
            if (utilization > 1)
            {
                errors.Add(u.Where, "must be at most 1 (a fraction of each GPU's memory).");
            }

            limits = limits with { MinMemoryUtilization = utilization };
        }

        if ((limits.MaxTotalCost is not null || limits.MaxRuntime is not null) && limits.TokenVolume is null)
        {
            errors.Add(node.Where, "'max_total_cost' and 'max_runtime_hours' refer to a job: add 'token_volume' (its prompt plus generated tokens).");
        }

        if (limits.TargetTokensPerSecond is not null && limits.TargetRequestsPerSecond is not null)
        {
            errors.Add(node.Where, "give either 'target_tokens_per_s' or 'target_requests_per_s', not both.");
        }

        if (limits.MaxReplicas is not null && limits.TargetTokensPerSecond is null && limits.TargetRequestsPerSecond is null)
        {
            errors.Add(node.Child("max_replicas")!.Where, "replicas only serve a target rate: add 'target_tokens_per_s' or 'target_requests_per_s'.");
        }

        return limits;
    }
}
