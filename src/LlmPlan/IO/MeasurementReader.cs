using System.Globalization;
using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.IO;

/// <summary>Reads a measurement file (docs/formats.md, "Measurement files"): one CSV schema for every source.</summary>
/// <remarks>Every problem of every row is reported at once, each with its line and column. Model and GPU ids are not
/// checked against the catalog here: a row the model cannot predict is reported as skipped by <c>llmplan validate</c>,
/// not refused.</remarks>
public static class MeasurementReader
{
    /// <summary>The header, exactly, in this order.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "id", "source", "engine", "model", "gpu", "precision", "tp", "pp", "replicas", "input_tokens", "output_tokens",
        "concurrency", "metric", "value", "note",
    ];

    /// <summary>Reads a measurement file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="errors">Collects every problem.</param>
    /// <returns>The rows in file order; empty when the header is wrong or the file is missing.</returns>
    public static IReadOnlyList<Measurement> Read(string path, InputErrors errors) => Read([path], errors);

    /// <summary>Reads several measurement files as one: their rows in file order, one file after another; an id may
    /// not repeat across them.</summary>
    /// <param name="paths">The files.</param>
    /// <param name="errors">Collects every problem of every file.</param>
    /// <returns>The rows.</returns>
    public static IReadOnlyList<Measurement> Read(IReadOnlyList<string> paths, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(errors);
        var rows = new List<Measurement>();
        var seen = new Dictionary<string, (string File, int Line)>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            if (CsvTable.Read(path, errors) is { } table)
            {
                rows.AddRange(Read(table, seen, errors));
            }
        }

        return rows;
    }

    /// <summary>Reads measurements from CSV text.</summary>
    /// <param name="name">The name used in messages.</param>
    /// <param name="text">The CSV text.</param>
    /// <param name="errors">Collects every problem.</param>
    /// <returns>The rows in file order.</returns>
    public static IReadOnlyList<Measurement> Parse(string name, string text, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return Read(CsvTable.Parse(name, text, errors), new Dictionary<string, (string File, int Line)>(StringComparer.Ordinal), errors);
    }

    private static List<Measurement> Read(CsvTable table, Dictionary<string, (string File, int Line)> seen, InputErrors errors)
    {
        if (table.Header.Count == 0 || !HeaderIsExact(table, errors))
        {
            return [];
        }

        var rows = new List<Measurement>();
        foreach (CsvRow row in table.Rows)
        {
            if (ReadRow(row, seen, errors) is { } measurement)
            {
                rows.Add(measurement);
            }
        }

        return rows;
    }

    private static bool HeaderIsExact(CsvTable table, InputErrors errors)
    {
        if (table.Header.SequenceEqual(Columns, StringComparer.Ordinal))
        {
            return true;
        }

        string expected = string.Join(",", Columns);
        var missing = Columns.Where(c => table.IndexOf(c) < 0).ToList();
        var unknown = table.Header.Where(c => !Columns.Contains(c, StringComparer.Ordinal)).ToList();
        foreach (string column in missing)
        {
            errors.Add($"{table.Name} header", $"column '{column}' is missing. The header must be exactly: {expected}.");
        }

        foreach (string column in unknown)
        {
            errors.Add($"{table.Name} header", $"column '{column}' is not part of the schema. The header must be exactly: {expected}.");
        }

        if (missing.Count == 0 && unknown.Count == 0)
        {
            int at = Enumerable.Range(0, Math.Min(Columns.Count, table.Header.Count)).First(i => !string.Equals(Columns[i], table.Header[i], StringComparison.Ordinal));
            string detail = table.Header.Count > Columns.Count
                ? $"has {table.Header.Count} columns (one is repeated)"
                : $"has '{table.Header[at]}' as column {at + 1} where '{Columns[at]}' belongs";
            errors.Add($"{table.Name} header", $"{detail}. The header must be exactly: {expected}.");
        }

        return false;
    }

    private static Measurement? ReadRow(CsvRow row, Dictionary<string, (string File, int Line)> seen, InputErrors errors)
    {
        int before = errors.All.Count;
        if (row.CellCount != Columns.Count)
        {
            errors.Add($"{row.File} line {row.Line}", $"has {row.CellCount} cells but the header has {Columns.Count}. Quote cells that hold commas, and give every column (leave optional ones empty).");
            return null;
        }

        string? id = row.RequiredText("id", errors);
        if (id is not null && !seen.TryAdd(id, (row.File, row.Line)))
        {
            var (file, line) = seen[id];
            string first = file == row.File ? Invariant.Text($"on line {line}") : Invariant.Text($"in {file} line {line}");
            errors.Add(row.Where("id"), $"'{id}' is used twice (first {first}). Give each row its own id.");
        }

        string? source = row.RequiredText("source", errors);
        string? engine = row.RequiredText("engine", errors);
        string? model = row.RequiredText("model", errors);
        string? gpu = row.RequiredText("gpu", errors);
        Precision? precision = ReadPrecision(row, errors);
        int? tp = row.Integer("tp", errors, 1);
        int? pp = row.Integer("pp", errors, 1);
        int? replicas = row.Integer("replicas", errors, 1);
        MeasuredMetric? metric = row.Choice("metric", MetricChoices, "a metric", errors);
        var (input, output) = ReadLengths(row, metric, errors);
        MeasuredLoad? load = ReadLoad(row, metric, errors);
        double? value = row.Number("value", errors, 0, exclusiveMinimum: true);
        ClosedLoopRequests? requests = ReadRequests(row, load, errors);
        if (errors.All.Count > before)
        {
            return null;
        }

        return new Measurement
        {
            Id = id!, Source = source!, Engine = engine!, Model = model!, Gpu = gpu!, Precision = precision!.Value,
            TensorParallel = tp!.Value, PipelineParallel = pp!.Value, Replicas = replicas!.Value, InputTokens = input,
            OutputTokens = output, Load = load!.Value, Metric = metric!.Value, Value = value!.Value, Note = row.Text("note"),
            Requests = requests, Line = row.Line,
        };
    }

    /// <summary>The note item that gives the warm-up requests a closed-loop benchmark sent in all.</summary>
    public const string WarmUpRequestsItem = "warm_up_requests";

    /// <summary>The note item that gives the measured requests a closed-loop benchmark sent in all.</summary>
    public const string MeasuredRequestsItem = "measured_requests";

    /// <summary>The note items that give a closed-loop benchmark's requests, as <see cref="ReadRequests"/> reads them.</summary>
    /// <param name="requests">The warm-up and measured requests, in all.</param>
    /// <returns><c>warm_up_requests=W; measured_requests=R</c>.</returns>
    public static string RequestsNote(ClosedLoopRequests requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return Invariant.Text($"{WarmUpRequestsItem}={requests.WarmUp}; {MeasuredRequestsItem}={requests.Measured}");
    }

    /// <summary>The requests of the row's closed-loop benchmark, from the note's <c>warm_up_requests=W</c> and
    /// <c>measured_requests=R</c> items (items are separated by <c>;</c>); null when the note has neither.</summary>
    private static ClosedLoopRequests? ReadRequests(CsvRow row, MeasuredLoad? load, InputErrors errors)
    {
        int? warmUp = null;
        int? measured = null;
        bool bad = false;
        string where = row.Where("note");
        foreach (string item in row.Text("note").Split(';'))
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? string.Empty : item[..eq].Trim();
            bool isWarmUp = string.Equals(key, WarmUpRequestsItem, StringComparison.Ordinal);
            if (!isWarmUp && !string.Equals(key, MeasuredRequestsItem, StringComparison.Ordinal))
            {
                continue;
            }

            string text = item[(eq + 1)..].Trim();
            int minimum = isWarmUp ? 0 : 1;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count < minimum)
            {
                errors.Add(where, $"'{item.Trim()}' needs a whole number of requests, at least {minimum}, e.g. {key}={(isWarmUp ? "0" : "200")}.");
                bad = true;
            }
            else if ((isWarmUp ? warmUp : measured) is not null)
            {
                errors.Add(where, $"'{key}' is given twice. Give it once.");
                bad = true;
            }
            else if (isWarmUp)
            {
                warmUp = count;
            }
            else
            {
                measured = count;
            }
        }

        if (bad || (warmUp is null && measured is null))
        {
            return null;
        }

        if (measured is null)
        {
            errors.Add(where, $"'{WarmUpRequestsItem}' needs '{MeasuredRequestsItem}' beside it: the requests the benchmark measured in all, e.g. {MeasuredRequestsItem}=200.");
            return null;
        }

        if (load is { Kind: not LoadKind.Closed } l)
        {
            errors.Add(where, $"'{WarmUpRequestsItem}' and '{MeasuredRequestsItem}' describe a closed-loop benchmark, but the row's concurrency is {l}. Remove them, or give the clients as a whole number.");
            return null;
        }

        return new ClosedLoopRequests(warmUp ?? 0, measured.Value);
    }

    private static readonly IReadOnlyList<(string Word, MeasuredMetric Value, string Meaning)> MetricChoices =
    [
        ("output_tokens_per_s", MeasuredMetric.OutputTokensPerSecond, "generated tokens/s"),
        ("total_tokens_per_s", MeasuredMetric.TotalTokensPerSecond, "prompt + generated tokens/s"),
        ("ttft_ms", MeasuredMetric.TimeToFirstToken, "mean time to first token"),
        ("tpot_ms", MeasuredMetric.TimePerOutputToken, "mean time per output token"),
        ("requests_per_s", MeasuredMetric.RequestsPerSecond, "completed requests/s"),
        ("layer_decode_ms", MeasuredMetric.LayerDecode, "one layer, one decode step"),
        ("layer_prefill_ms", MeasuredMetric.LayerPrefill, "one layer, one prompt"),
    ];

    private static Precision? ReadPrecision(CsvRow row, InputErrors errors)
    {
        string text = row.Text("precision");
        if (PrecisionFacts.TryParse(text, out Precision precision) && string.Equals(text, precision.Name(), StringComparison.Ordinal))
        {
            return precision;
        }

        errors.Add(row.Where("precision"), $"'{text}' is not a weight precision. Write one of {string.Join(", ", PrecisionFacts.All.Select(p => p.Name()))}.");
        return null;
    }

    /// <summary>Prompt and output lengths: required for the served metrics; a layer decode may leave both empty (context
    /// unknown) and a layer prefill may leave the output empty or 0.</summary>
    private static (int? Input, int? Output) ReadLengths(CsvRow row, MeasuredMetric? metric, InputErrors errors)
    {
        bool layerDecode = metric == MeasuredMetric.LayerDecode;
        bool layer = metric is { } m && m.IsLayer();
        int? input = row.Text("input_tokens").Length == 0 && layerDecode ? null : row.Integer("input_tokens", errors, layerDecode ? 0 : 1);
        int? output = row.Text("output_tokens").Length == 0 && layer ? null : row.Integer("output_tokens", errors, layer ? 0 : 1);
        return (input, output);
    }

    private static MeasuredLoad? ReadLoad(CsvRow row, MeasuredMetric? metric, InputErrors errors)
    {
        string text = row.Text("concurrency");
        string where = row.Where("concurrency");
        const string Forms = "Write a whole number of sequences in flight (e.g. 8), max (offline maximum throughput), qps:R (R requests/s offered, e.g. qps:2.5) or qps:inf (all at once).";
        MeasuredLoad? load = null;
        if (string.Equals(text, "max", StringComparison.Ordinal))
        {
            load = MeasuredLoad.Max;
        }
        else if (text.StartsWith("qps:", StringComparison.Ordinal))
        {
            string rate = text[4..];
            if (string.Equals(rate, "inf", StringComparison.Ordinal))
            {
                load = MeasuredLoad.OpenLoop(null);
            }
            else if (double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) && double.IsFinite(r) && r > 0)
            {
                load = MeasuredLoad.OpenLoop(RequestsPerSecond.FromRequestsPerSecond(r));
            }
            else
            {
                errors.Add(where, $"'{text}' has no valid rate after 'qps:'; the rate must be a number above 0 or inf. {Forms}");
                return null;
            }
        }
        else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1)
        {
            load = MeasuredLoad.Closed(n);
        }
        else
        {
            errors.Add(where, text.Length == 0 ? $"the value is empty. {Forms}" : $"'{text}' is not a load. {Forms}");
            return null;
        }

        if (metric is { } m && m.IsLayer() && load.Value.Kind != LoadKind.Closed)
        {
            errors.Add(where, $"'{text}' does not go with {m.Name()}: a layer time needs the batch as a whole number (sequences decoded together, or prompts prefilled together).");
            return null;
        }

        return load;
    }
}
