using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Planning.Fleet;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.IO.Fleet;

/// <summary>Reads a fleet spec (YAML or JSON): a model, candidate GPUs or instances, bucket edges, a request-size
/// distribution (a matrix, or a CSV of request lengths bucketed here), a rate and SLOs (docs/formats.md).</summary>
public static class FleetSpecFile
{
    private static readonly string[] Keys =
        ["model", "precision", "kv_precision", "provider", "candidates", "buckets", "distribution", "requests", "rate", "slice_factor", "utilization", "slo"];

    private static readonly string[] CandidateKeys = ["gpu", "instance", "tp", "cost_per_hour", "min_count", "max_count"];

    /// <summary>Tells a fleet spec from a Mélange config: a spec names a model and candidates.</summary>
    /// <param name="path">The file.</param>
    /// <returns>True when the file looks like a spec (it has a <c>candidates</c> key).</returns>
    public static bool LooksLikeSpec(string path)
    {
        var errors = new InputErrors();
        return File.Exists(path) && SpecNode.Parse(Path.GetFileName(path), File.ReadAllText(path), errors) is SpecNode root && root.Has("candidates");
    }

    /// <summary>Reads and checks a spec against the catalog.</summary>
    /// <param name="path">The spec file.</param>
    /// <param name="catalog">The catalog.</param>
    /// <param name="warnings">Receives warnings (requests outside the buckets, a distribution not summing to 1).</param>
    /// <returns>The spec.</returns>
    /// <exception cref="InputValidationException">Any problem; all are listed.</exception>
    public static FleetSpec Read(string path, HardwareCatalog catalog, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(warnings);
        var errors = new InputErrors();
        SpecNode root = SpecNode.Load(path, Keys, errors);

        ModelArchitecture? model = Required(root, "model", errors)?.Text(errors) is string id ? catalog.RequireModel(id, root.Child("model")!.Where, errors) : null;
        Precision weights = ReadPrecision(root.Child("precision"), errors, kvOnly: false) ?? Precision.Bf16;
        Precision kv = ReadPrecision(root.Child("kv_precision"), errors, kvOnly: true) ?? Precision.Bf16;
        string? provider = root.Child("provider")?.Text(errors)?.ToLowerInvariant();
        if (provider is not null && !catalog.Providers.Contains(provider, StringComparer.Ordinal))
        {
            errors.Add(root.Child("provider")!.Where, $"unknown provider '{provider}'. Use one of: {string.Join(", ", catalog.Providers)}.");
        }

        double? rate = Required(root, "rate", errors)?.Number(errors, 0);
        int sliceFactor = root.Child("slice_factor")?.Integer(errors, 1) ?? 4;
        double utilization = root.Child("utilization")?.Number(errors, 0, exclusiveMinimum: true) ?? 1.0;
        if (utilization > 1)
        {
            errors.Add(root.Child("utilization")!.Where, "must be at most 1 (the share of each unit's capacity to use, e.g. 0.8).");
        }

        Seconds? ttft = null;
        Seconds? tpot = null;
        if (root.Child("slo") is SpecNode slo)
        {
            slo.RejectUnknownKeys(["ttft_ms", "tpot_ms"], errors);
            ttft = slo.Child("ttft_ms")?.Number(errors, 0, exclusiveMinimum: true) is double t ? Seconds.FromMilliseconds(t) : null;
            tpot = slo.Child("tpot_ms")?.Number(errors, 0, exclusiveMinimum: true) is double p ? Seconds.FromMilliseconds(p) : null;
        }

        var (inputEdges, outputEdges) = ReadEdges(root, errors);
        IReadOnlyList<IReadOnlyList<double>> distribution = ReadDistribution(root, path, inputEdges, outputEdges, errors, warnings);
        var candidates = ReadCandidates(root, catalog, provider, errors);
        errors.ThrowIfAny();
        return new FleetSpec
        {
            Model = model!,
            Weights = weights,
            KvCache = kv,
            Candidates = candidates,
            InputEdges = inputEdges,
            OutputEdges = outputEdges,
            Distribution = distribution,
            Rate = RequestsPerSecond.FromRequestsPerSecond(rate!.Value),
            SliceFactor = sliceFactor,
            Utilization = utilization,
            TimeToFirstToken = ttft,
            TimePerOutputToken = tpot,
        };
    }

    private static (IReadOnlyList<int> Input, IReadOnlyList<int> Output) ReadEdges(SpecNode root, InputErrors errors)
    {
        SpecNode? buckets = Required(root, "buckets", errors);
        if (buckets is null)
        {
            return ([], []);
        }

        buckets.RejectUnknownKeys(["input_edges", "output_edges"], errors);
        return (Edges(Required(buckets, "input_edges", errors), errors), Edges(Required(buckets, "output_edges", errors), errors));
    }

    private static int[] Edges(SpecNode? node, InputErrors errors)
    {
        if (node is null)
        {
            return [];
        }

        var items = node.Items(errors);
        int?[] values = [.. items.Select(i => i.Integer(errors, 1))];
        if (values.Length == 0)
        {
            errors.Add(node.Where, "list at least one upper edge, e.g. [25, 100, 250, 500, 1000, 2000].");
        }

        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] <= values[i - 1])
            {
                errors.Add(items[i].Where, Invariant.Text($"edges must increase: {values[i]} follows {values[i - 1]}."));
            }
        }

        return values.All(v => v is not null) ? [.. values.Select(v => v!.Value)] : [];
    }

    private static IReadOnlyList<IReadOnlyList<double>> ReadDistribution(
        SpecNode root, string path, IReadOnlyList<int> inputEdges, IReadOnlyList<int> outputEdges, InputErrors errors, ICollection<string> warnings)
    {
        SpecNode? matrix = root.Child("distribution");
        SpecNode? requests = root.Child("requests");
        if ((matrix is null) == (requests is null))
        {
            errors.Add(root.Where, "give exactly one of 'distribution' (a matrix of shares, rows = input buckets) and 'requests' (a CSV of input_tokens,output_tokens per request).");
            return [];
        }

        if (inputEdges.Count == 0 || outputEdges.Count == 0)
        {
            return [];
        }

        var shares = new double[inputEdges.Count][];
        for (int i = 0; i < shares.Length; i++)
        {
            shares[i] = new double[outputEdges.Count];
        }

        if (matrix is not null)
        {
            var rows = matrix.Items(errors);
            if (rows.Count != inputEdges.Count)
            {
                errors.Add(matrix.Where, Invariant.Text($"has {rows.Count} rows but there are {inputEdges.Count} input buckets; give one row per input bucket."));
                return [];
            }

            for (int i = 0; i < rows.Count; i++)
            {
                var cells = rows[i].Items(errors);
                if (cells.Count != outputEdges.Count)
                {
                    errors.Add(rows[i].Where, Invariant.Text($"has {cells.Count} values but there are {outputEdges.Count} output buckets."));
                    continue;
                }

                for (int j = 0; j < cells.Count; j++)
                {
                    shares[i][j] = cells[j].Number(errors, 0) ?? 0;
                }
            }

            double sum = shares.Sum(r => r.Sum());
            if (Math.Abs(sum - 1) > 0.01)
            {
                warnings.Add(Invariant.Text($"{matrix.Where}: the shares sum to {sum:0.####}, not 1; they are used as given (bucket rate = share × rate)."));
            }

            return shares;
        }

        string csvPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", requests!.Text(errors) ?? string.Empty);
        CsvTable? table = CsvTable.Read(csvPath, errors);
        if (table is null || !table.RequireColumns(["input_tokens", "output_tokens"], errors))
        {
            return [];
        }

        int counted = 0;
        int outside = 0;
        foreach (CsvRow row in table.Rows)
        {
            int? input = row.Integer("input_tokens", errors, 0);
            int? output = row.Integer("output_tokens", errors, 1);
            if (input is null || output is null)
            {
                continue;
            }

            int i = Bucket(inputEdges, input.Value);
            int j = Bucket(outputEdges, output.Value);
            if (i < 0 || j < 0)
            {
                outside++;
                continue;
            }

            shares[i][j]++;
            counted++;
        }

        if (outside > 0)
        {
            warnings.Add(Invariant.Text($"{table.Name}: {outside} of {outside + counted} requests are longer than the last bucket edge and are left out; add a larger edge to plan for them."));
        }

        if (counted == 0 && !errors.Any)
        {
            errors.Add(table.Name, "no request falls inside the buckets; check the edges and the columns input_tokens, output_tokens.");
        }

        return counted == 0 ? shares : [.. shares.Select(r => (IReadOnlyList<double>)[.. r.Select(v => v / counted)])];
    }

    /// <summary>The bucket (edge i−1, edge i] that holds a length (lengths ≤ the first edge go to bucket 0), or −1.</summary>
    private static int Bucket(IReadOnlyList<int> edges, int length)
    {
        for (int i = 0; i < edges.Count; i++)
        {
            if (length <= edges[i])
            {
                return i;
            }
        }

        return -1;
    }

    private static List<FleetCandidate> ReadCandidates(SpecNode root, HardwareCatalog catalog, string? provider, InputErrors errors)
    {
        var result = new List<FleetCandidate>();
        SpecNode? node = Required(root, "candidates", errors);
        var items = node?.Items(errors) ?? [];
        if (node is not null && items.Count == 0)
        {
            errors.Add(node.Where, "list at least one candidate, e.g. - gpu: L4 or - instance: g6e.xlarge.");
        }

        foreach (SpecNode item in items)
        {
            item.RejectUnknownKeys(CandidateKeys, errors);
            string? gpuId = item.Child("gpu")?.Text(errors);
            string? instanceName = item.Child("instance")?.Text(errors);
            int tp = item.Child("tp")?.Integer(errors, 1) ?? 1;
            double? cost = item.Child("cost_per_hour")?.Number(errors, 0);
            int min = item.Child("min_count")?.Integer(errors, 0) ?? 0;
            int? max = item.Child("max_count")?.Integer(errors, 0);
            Hardware? hardware = null;
            string name = string.Empty;
            if ((gpuId is null) == (instanceName is null))
            {
                errors.Add(item.Where, "give exactly one of 'gpu' (a catalog GPU id) and 'instance' (a catalog instance name).");
            }
            else if (gpuId is not null && catalog.RequireGpu(gpuId, item.Child("gpu")!.Where, errors) is GpuSpec gpu)
            {
                hardware = Hardware.ForGpu(gpu, catalog, provider);
                name = tp == 1 ? gpu.Id : Invariant.Text($"{gpu.Id} TP {tp}");
                if (cost is null && hardware.PricePerGpu.Value <= 0)
                {
                    errors.Add(item.Where, $"the catalog has no price for {gpu.Id}; give 'cost_per_hour' (the price of one unit of {tp} GPU(s)).");
                }
            }
            else if (instanceName is not null && catalog.RequireInstance(instanceName, item.Child("instance")!.Where, errors) is CloudInstance instance)
            {
                hardware = Hardware.ForInstance(instance);
                name = tp == 1 ? instance.Name : Invariant.Text($"{instance.Name} TP {tp}");
                if (tp > instance.GpuCount)
                {
                    errors.Add(item.Child("tp")!.Where, Invariant.Text($"TP {tp} needs {tp} GPUs but {instance.Name} has {instance.GpuCount}."));
                }
            }

            if (max < min)
            {
                errors.Add(item.Where, Invariant.Text($"min_count {min} exceeds max_count {max}."));
            }

            if (hardware is not null && result.Any(c => c.Name == name))
            {
                errors.Add(item.Where, $"candidate '{name}' is listed twice; list each GPU or instance and TP degree once.");
            }
            else if (hardware is not null)
            {
                result.Add(new FleetCandidate
                {
                    Name = name,
                    Hardware = hardware,
                    TensorParallel = tp,
                    CostPerHour = cost is double c ? DollarsPerHour.FromDollarsPerHour(c) : null,
                    MinCount = min,
                    MaxCount = max,
                });
            }
        }

        return result;
    }

    private static Precision? ReadPrecision(SpecNode? node, InputErrors errors, bool kvOnly) => PlacementFile.ReadPrecision(node, errors, kvOnly);

    private static SpecNode? Required(SpecNode node, string key, InputErrors errors) => PlacementFile.Required(node, key, errors);
}
