using LlmPlan.Planning.Robust;
using LlmPlan.Validation;

namespace LlmPlan.IO.Robust;

/// <summary>Reads a robust-allocation instance (the JSON of <c>../shared/data/robust/seed42-instance.json</c>, which
/// <c>llmplan robust generate</c> also writes), checking every field and reporting every problem at once.</summary>
public static class RobustInstanceReader
{
    /// <summary>The top-level keys an instance may hold.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "name", "source", "notes", "query_types", "models", "gpu_tiers", "tp_degrees", "scalars", "checksums",
        DelayNominalKey, DelayDeviationKey, ErrorNominalKey, ErrorDeviationKey,
    ];

    /// <summary>The keys of a query type.</summary>
    public static readonly IReadOnlyList<string> QueryKeys =
    [
        "name", "input_tokens", "output_tokens", "arrival_rate_per_hour", "delay_threshold_ms", "error_threshold",
        "compute_demand_alpha", "token_size_mb", "delay_penalty_per_ms", "unmet_penalty",
    ];

    /// <summary>The keys of a model.</summary>
    public static readonly IReadOnlyList<string> ModelKeys = ["name", "size_gb", "kv_gb_per_token"];

    /// <summary>The keys of a GPU tier.</summary>
    public static readonly IReadOnlyList<string> TierKeys = ["name", "gpu", "precision", "memory_gb", "compute_tflops", "price_per_hour"];

    /// <summary>The keys of the scalars.</summary>
    public static readonly IReadOnlyList<string> ScalarKeys =
    [
        "budget", "horizon_hours", "storage_capacity_gb", "storage_price_per_gb_hour", "kv_residency_time", "gamma_delay",
        "gamma_error", "big_m",
    ];

    private const string DelayNominalKey = "delay_nominal_ms_per_token";
    private const string DelayDeviationKey = "delay_deviation_ms_per_token";
    private const string ErrorNominalKey = "error_nominal";
    private const string ErrorDeviationKey = "error_deviation";

    /// <summary>Reads an instance file (never writing it).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The instance.</returns>
    /// <exception cref="InputValidationException">The file is missing, unreadable or invalid; carries every problem.</exception>
    public static RobustInstance Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var errors = new InputErrors();
        if (!File.Exists(path))
        {
            errors.Add(path, "the file does not exist. Give a robust instance JSON (see docs/formats.md) or generate one with 'llmplan robust generate --seed 42 --out inst.json'.");
            errors.ThrowIfAny();
        }

        RobustInstance? instance = Parse(path, File.ReadAllText(path), errors);
        errors.ThrowIfAny();
        return instance!;
    }

    /// <summary>Parses instance text.</summary>
    /// <param name="file">The file name for messages.</param>
    /// <param name="text">The JSON (or YAML) text.</param>
    /// <param name="errors">Collects every problem.</param>
    /// <returns>The instance, or null when there are errors.</returns>
    public static RobustInstance? Parse(string file, string text, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        int before = errors.All.Count;
        SpecNode? root = SpecNode.Parse(file, text, errors);
        if (root is null)
        {
            return null;
        }

        if (!root.IsMapping)
        {
            errors.Add(root.Where, "must be a JSON object with query_types, models, gpu_tiers, tp_degrees, scalars and the four I×J×K tables.");
            return null;
        }

        root.RejectUnknownKeys(Keys, errors);
        string name = Optional(root, "name", errors) ?? Path.GetFileNameWithoutExtension(file);
        string source = Optional(root, "source", errors) ?? string.Empty;
        IReadOnlyList<string> notes = root.Child("notes") is { } notesNode ? [.. notesNode.Items(errors).Select(n => n.Text(errors) ?? string.Empty)] : [];

        var queries = Objects(root, "query_types", QueryKeys, errors, q => new QueryClass(
            Text(q, "name", errors),
            Int(q, "input_tokens", errors, 0),
            Int(q, "output_tokens", errors, 0),
            Int(q, "arrival_rate_per_hour", errors, 0),
            Number(q, "delay_threshold_ms", errors, 0),
            Number(q, "error_threshold", errors, 0),
            Number(q, "compute_demand_alpha", errors, 0),
            Number(q, "token_size_mb", errors, 0),
            Number(q, "delay_penalty_per_ms", errors, 0),
            Number(q, "unmet_penalty", errors, 0)));
        var models = Objects(root, "models", ModelKeys, errors, m => new RobustModel(
            Text(m, "name", errors),
            Number(m, "size_gb", errors, 0),
            Number(m, "kv_gb_per_token", errors, 0)));
        var tiers = Objects(root, "gpu_tiers", TierKeys, errors, t => new GpuTier(
            Text(t, "name", errors),
            Text(t, "gpu", errors),
            Text(t, "precision", errors),
            Number(t, "memory_gb", errors, 0, exclusive: true),
            Number(t, "compute_tflops", errors, 0, exclusive: true),
            Number(t, "price_per_hour", errors, 0)));
        var tp = root.Child("tp_degrees") is { } tpNode
            ? tpNode.Items(errors).Select(n => n.Integer(errors, 1) ?? 1).ToList()
            : Missing<int>(root, "tp_degrees", "a list of tensor-parallel degrees, e.g. [1, 2, 4, 8]", errors);
        if (tp.Count == 0 && root.Has("tp_degrees"))
        {
            errors.Add(root.Child("tp_degrees")!.Where, "lists no degree; give at least one, e.g. [1, 2, 4, 8].");
        }

        if (tp.Distinct().Count() != tp.Count)
        {
            errors.Add(root.Child("tp_degrees")!.Where, "lists a degree twice; list each once.");
        }

        RobustScalars? scalars = null;
        if (root.Child("scalars") is { } s)
        {
            s.RejectUnknownKeys(ScalarKeys, errors);
            scalars = new RobustScalars(
                Number(s, "budget", errors, 0),
                Number(s, "horizon_hours", errors, 0, exclusive: true),
                Number(s, "storage_capacity_gb", errors, 0),
                Number(s, "storage_price_per_gb_hour", errors, 0),
                Number(s, "kv_residency_time", errors, 0),
                Number(s, "gamma_delay", errors, 0),
                Number(s, "gamma_error", errors, 0),
                s.Has("big_m") ? Number(s, "big_m", errors, 0) : 10000);
        }
        else
        {
            errors.Add(root.Where, "field 'scalars' is missing: budget, horizon_hours, storage_capacity_gb, storage_price_per_gb_hour, kv_residency_time, gamma_delay, gamma_error.");
        }

        Unique(root, "query_types", queries.Select(q => q.Name), errors);
        Unique(root, "models", models.Select(m => m.Name), errors);
        Unique(root, "gpu_tiers", tiers.Select(t => t.Name), errors);
        Table3? Table(string key) => Table3Of(root, key, queries.Count, models.Count, tiers.Count, errors);
        Table3? delayNominal = Table(DelayNominalKey);
        Table3? delayDeviation = Table(DelayDeviationKey);
        Table3? errorNominal = Table(ErrorNominalKey);
        Table3? errorDeviation = Table(ErrorDeviationKey);
        if (errors.All.Count > before)
        {
            return null;
        }

        return new RobustInstance
        {
            Name = name,
            Source = source,
            Notes = notes,
            QueryClasses = queries,
            Models = models,
            Tiers = tiers,
            TpDegrees = tp,
            Scalars = scalars!,
            DelayNominal = delayNominal!,
            DelayDeviation = delayDeviation!,
            ErrorNominal = errorNominal!,
            ErrorDeviation = errorDeviation!,
        };
    }

    private static List<T> Objects<T>(SpecNode root, string key, IReadOnlyList<string> keys, InputErrors errors, Func<SpecNode, T> read)
    {
        SpecNode? node = root.Child(key);
        if (node is null)
        {
            return Missing<T>(root, key, $"a list of objects with {string.Join(", ", keys)}", errors);
        }

        var items = node.Items(errors);
        if (items.Count == 0 && node.IsList)
        {
            errors.Add(node.Where, "is empty; give at least one.");
        }

        var result = new List<T>();
        foreach (SpecNode item in items)
        {
            if (!item.IsMapping)
            {
                errors.Add(item.Where, $"must be an object with {string.Join(", ", keys)}.");
                continue;
            }

            item.RejectUnknownKeys(keys, errors);
            result.Add(read(item));
        }

        return result;
    }

    private static List<T> Missing<T>(SpecNode root, string key, string what, InputErrors errors)
    {
        errors.Add(root.Where, $"field '{key}' is missing: {what}.");
        return [];
    }

    private static void Unique(SpecNode root, string key, IEnumerable<string> names, InputErrors errors)
    {
        foreach (var group in names.Where(n => n.Length > 0).GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(root.Child(key)!.Where, $"the name '{group.Key}' appears {group.Count()} times; names must be unique.");
        }
    }

    private static Table3? Table3Of(SpecNode root, string key, int classes, int models, int tiers, InputErrors errors)
    {
        SpecNode? node = root.Child(key);
        if (node is null)
        {
            errors.Add(root.Where, $"field '{key}' is missing: a nested list [query type][model][tier] of {classes} × {models} × {tiers} numbers.");
            return null;
        }

        var values = new List<double>(classes * models * tiers);
        int before = errors.All.Count;
        var rows = node.Items(errors);
        if (node.IsList && rows.Count != classes)
        {
            errors.Add(node.Where, Invariant.Text($"has {rows.Count} rows but there are {classes} query types; give one row per query type."));
        }

        foreach (SpecNode row in rows)
        {
            var columns = row.Items(errors);
            if (row.IsList && columns.Count != models)
            {
                errors.Add(row.Where, Invariant.Text($"has {columns.Count} entries but there are {models} models; give one list per model."));
            }

            foreach (SpecNode column in columns)
            {
                var cells = column.Items(errors);
                if (column.IsList && cells.Count != tiers)
                {
                    errors.Add(column.Where, Invariant.Text($"has {cells.Count} values but there are {tiers} GPU tiers; give one value per tier."));
                }

                values.AddRange(cells.Select(c => c.Number(errors, 0) ?? 0));
            }
        }

        return errors.All.Count > before ? null : new Table3(classes, models, tiers, values);
    }

    private static string? Optional(SpecNode node, string key, InputErrors errors) => node.Child(key)?.Text(errors);

    private static string Text(SpecNode node, string key, InputErrors errors)
    {
        if (node.Child(key) is { } child)
        {
            return child.Text(errors) ?? string.Empty;
        }

        errors.Add(node.Where, $"field '{key}' is missing.");
        return string.Empty;
    }

    private static int Int(SpecNode node, string key, InputErrors errors, int minimum)
    {
        if (node.Child(key) is { } child)
        {
            return child.Integer(errors, minimum) ?? 0;
        }

        errors.Add(node.Where, $"field '{key}' is missing.");
        return 0;
    }

    private static double Number(SpecNode node, string key, InputErrors errors, double minimum, bool exclusive = false)
    {
        if (node.Child(key) is { } child)
        {
            return child.Number(errors, minimum, exclusive) ?? 0;
        }

        errors.Add(node.Where, $"field '{key}' is missing.");
        return 0;
    }
}
