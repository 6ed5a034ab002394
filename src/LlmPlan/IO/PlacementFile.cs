using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Validation;

namespace LlmPlan.IO;

/// <summary>A placement to evaluate, read from our YAML/JSON stage list or from the placement seed's
/// <c>--evaluate-placement</c> JSON. Fields the file does not give are null (the command line supplies them).</summary>
public sealed record PlacementFile
{
    /// <summary>Gets the model id, or null.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the weight precision, or null.</summary>
    public Precision? Weights { get; init; }

    /// <summary>Gets the KV-cache precision, or null.</summary>
    public Precision? KvCache { get; init; }

    /// <summary>Gets the prompt tokens per request, or null.</summary>
    public int? InputTokens { get; init; }

    /// <summary>Gets the generated tokens per request, or null.</summary>
    public int? OutputTokens { get; init; }

    /// <summary>Gets the concurrency text (<c>max</c> or a number), or null.</summary>
    public string? Concurrency { get; init; }

    /// <summary>Gets a cap on running sequences (the seed's <c>batch_size</c>: at most that many, fewer when the KV cache
    /// holds fewer), or null.</summary>
    public int? MaxSequences { get; init; }

    /// <summary>Gets the stages in pipeline order.</summary>
    public required IReadOnlyList<StagePlacement> Stages { get; init; }

    /// <summary>Gets a value indicating whether every stage of the file was read (none dropped for a missing field), so
    /// that placement rules such as layer continuity can be checked even when other fields had errors.</summary>
    public required bool AllStagesRead { get; init; }

    /// <summary>Gets a value indicating whether the file is in the placement seed's format.</summary>
    public required bool IsSeedFormat { get; init; }

    private static readonly string[] NativeKeys = ["model", "precision", "kv_precision", "input_tokens", "output_tokens", "concurrency", "stages"];
    private static readonly string[] NativeStageKeys = ["instance", "gpu", "tp", "layers", "first_layer", "last_layer", "gpu_ids"];
    private static readonly string[] SeedKeys = ["batch_size", "sequence_length", "output_length", "workload_phase", "enforce_eager", "stages"];
    private static readonly string[] SeedStageKeys = ["gpu_type", "tp_degree", "start_layer", "end_layer", "segment_size", "gpu_ids", "partition_id", "global_gpu_ids"];

    /// <summary>Reads a placement file (format detected: stages with <c>gpu_type</c> are the seed's).</summary>
    /// <param name="path">The file.</param>
    /// <param name="errors">Collects every problem.</param>
    /// <returns>The placement, or null when the file could not be read.</returns>
    public static PlacementFile? Read(string path, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!File.Exists(path))
        {
            errors.Add(path, "the file does not exist. Check the path.");
            return null;
        }

        SpecNode? root = SpecNode.Parse(Path.GetFileName(path), File.ReadAllText(path), errors);
        if (root is null)
        {
            return null;
        }

        SpecNode? stagesNode = root.Child("stages");
        if (stagesNode is null)
        {
            errors.Add(root.Where, "field 'stages' is missing: list the pipeline stages (see docs/formats.md).");
            return null;
        }

        IReadOnlyList<SpecNode> items = stagesNode.Items(errors);
        bool seed = items.Count > 0 && items[0].Has("gpu_type");
        root.RejectUnknownKeys(seed ? SeedKeys : NativeKeys, errors);
        var stages = new List<StagePlacement>();
        int nextSeedLayer = 1;
        foreach (SpecNode item in items)
        {
            item.RejectUnknownKeys(seed ? SeedStageKeys : NativeStageKeys, errors);
            StagePlacement? stage = seed ? SeedStage(item, ref nextSeedLayer, errors) : NativeStage(item, errors);
            if (stage is not null)
            {
                stages.Add(stage);
            }
        }

        return seed
            ? new PlacementFile
            {
                InputTokens = root.Child("sequence_length")?.Integer(errors, 1),
                OutputTokens = root.Child("output_length")?.Integer(errors, 1),
                MaxSequences = root.Child("batch_size")?.Integer(errors, 1),
                Stages = stages,
                AllStagesRead = stages.Count == items.Count,
                IsSeedFormat = true,
            }
            : new PlacementFile
            {
                Model = root.Child("model")?.Text(errors),
                Weights = ReadPrecision(root.Child("precision"), errors, kvOnly: false),
                KvCache = ReadPrecision(root.Child("kv_precision"), errors, kvOnly: true),
                InputTokens = root.Child("input_tokens")?.Integer(errors, 1),
                OutputTokens = root.Child("output_tokens")?.Integer(errors, 1),
                Concurrency = root.Child("concurrency")?.Text(errors),
                Stages = stages,
                AllStagesRead = stages.Count == items.Count,
                IsSeedFormat = false,
            };
    }

    /// <summary>Reads a precision field (null when absent), recording an error for an unknown or, for the KV cache, unusable one.</summary>
    internal static Precision? ReadPrecision(SpecNode? node, InputErrors errors, bool kvOnly)
    {
        string? text = node?.Text(errors);
        if (text is null)
        {
            return null;
        }

        if (PrecisionFacts.TryParse(text, out Precision precision) && (!kvOnly || precision.IsKvCachePrecision()))
        {
            return precision;
        }

        errors.Add(node!.Where, $"'{text}' is not a {(kvOnly ? "KV-cache precision. Use one of: fp16, bf16, fp8, int8." : "precision. Use one of: " + string.Join(", ", PrecisionFacts.All.Select(p => p.Name())) + ".")}");
        return null;
    }

    private static StagePlacement? NativeStage(SpecNode item, InputErrors errors)
    {
        int before = errors.All.Count;
        int? tp = Required(item, "tp", errors)?.Integer(errors, 1);
        int? first = null;
        int? last = null;
        if (item.Child("layers") is SpecNode layers)
        {
            string? text = layers.Text(errors);
            string[] parts = text?.Split('-') ?? [];
            if (parts.Length == 2)
            {
                first = ValueParsing.Integer(parts[0].Trim(), layers.Where, errors, 1);
                last = ValueParsing.Integer(parts[1].Trim(), layers.Where, errors, 1);
            }
            else if (text is not null)
            {
                errors.Add(layers.Where, $"'{text}' is not a layer range. Write first-last, 1-based and inclusive, e.g. 1-40.");
            }
        }
        else
        {
            first = Required(item, "first_layer", errors)?.Integer(errors, 1);
            last = Required(item, "last_layer", errors)?.Integer(errors, 1);
        }

        IReadOnlyList<int> ids = GpuIds(item, errors);
        return errors.All.Count > before
            ? null
            : new StagePlacement(item.Where, item.Child("instance")?.Text(errors), item.Child("gpu")?.Text(errors), tp!.Value, first!.Value, last!.Value, ids);
    }

    private static StagePlacement? SeedStage(SpecNode item, ref int nextLayer, InputErrors errors)
    {
        int before = errors.All.Count;
        string? instance = Required(item, "gpu_type", errors)?.Text(errors);
        int? tp = Required(item, "tp_degree", errors)?.Integer(errors, 1);
        int? first = item.Child("start_layer")?.Integer(errors, 1) ?? nextLayer;
        int? last = item.Child("end_layer")?.Integer(errors, 1);
        if (last is null)
        {
            int? size = Required(item, "segment_size", errors, "or 'end_layer'")?.Integer(errors, 1);
            last = first + size - 1;
        }

        IReadOnlyList<int> ids = GpuIds(item, errors);
        if (errors.All.Count > before)
        {
            return null;
        }

        nextLayer = last!.Value + 1;
        return new StagePlacement(item.Where, instance, null, tp!.Value, first!.Value, last.Value, ids);
    }

    /// <summary>Gets a required field, recording an error when it is missing.</summary>
    internal static SpecNode? Required(SpecNode item, string key, InputErrors errors, string alternative = "")
    {
        SpecNode? child = item.Child(key);
        if (child is null)
        {
            errors.Add(item.Where, $"field '{key}' is missing{(alternative.Length > 0 ? " " + alternative : string.Empty)}.");
        }

        return child;
    }

    private static IReadOnlyList<int> GpuIds(SpecNode item, InputErrors errors)
    {
        SpecNode? node = item.Child("gpu_ids");
        return node is null ? [] : [.. node.Items(errors).Select(n => n.Integer(errors, 0)).OfType<int>()];
    }
}
