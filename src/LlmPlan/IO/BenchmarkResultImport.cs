using System.Globalization;
using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.IO;

/// <summary>What a benchmark result file does not record: the engine, the catalog ids of the model and GPU, the weight
/// precision and the layout it was measured on, and (for <c>vllm bench throughput</c>, whose file has only the sum) the
/// prompt and output lengths.</summary>
/// <param name="Engine">The <c>engine</c> column, e.g. <c>vllm:0.12.0</c>.</param>
/// <param name="Model">The model's catalog id.</param>
/// <param name="Gpu">The GPU's catalog id.</param>
/// <param name="Precision">The weight precision served.</param>
/// <param name="TensorParallel">The tensor-parallel degree.</param>
/// <param name="PipelineParallel">The pipeline-parallel degree.</param>
/// <param name="Replicas">The data-parallel replicas behind the one endpoint the benchmark drove.</param>
/// <param name="InputTokens">The prompt tokens per request of a throughput run, or null.</param>
/// <param name="OutputTokens">The output tokens per request of a throughput run, or null.</param>
public sealed record BenchmarkSetup(
    string Engine, string Model, string Gpu, Precision Precision, int TensorParallel, int PipelineParallel, int Replicas, int? InputTokens, int? OutputTokens);

/// <summary>Turns result files of serving benchmarks into measurement rows (docs/accuracy.md, "Your own measurements"):
/// <c>vllm bench serve --save-result</c> (also <c>benchmarks/benchmark_serving.py</c>), <c>vllm bench throughput
/// --output-json</c> (also <c>benchmarks/benchmark_throughput.py</c>) and <c>python -m sglang.bench_serving
/// --output-file</c> (a <c>.jsonl</c> file, one run per line; its results have the serving fields of vLLM's, which they
/// derive from, and <c>total_output_tokens_retokenized</c>).</summary>
/// <remarks>
/// <para>A serving result gives three rows: <c>ttft_ms</c> (<c>mean_ttft_ms</c>), <c>tpot_ms</c> (<c>mean_tpot_ms</c>;
/// none when each request generated one token) and <c>output_tokens_per_s</c> (<c>output_throughput</c>). Its request
/// and total-token rates are the same measurement scaled by fixed lengths, so they are not repeated. The lengths are
/// <c>total_input_tokens</c> and <c>total_output_tokens</c> over <c>completed</c>, rounded to whole tokens (the note
/// says so when they are not whole: the model assumes every request has the same lengths). The load is a closed loop
/// of <c>max_concurrency</c> clients at an infinite request rate, <c>qps:R</c> at a finite rate and no concurrency
/// limit, <c>qps:inf</c> with neither. A closed loop's note records the requests it sent
/// (<c>warm_up_requests=0; measured_requests=num_prompts</c>, or <c>completed</c> for SGLang, whose result has no
/// <c>num_prompts</c>): every one is measured, and a warm-up the tool runs first (vLLM's <c>--num-warmups</c>, SGLang's
/// <c>--warmup-requests</c>) ends before the measured requests start, as the simulation's first wave does.</para>
/// <para>A throughput result gives one row, <c>requests_per_s</c> at <c>max</c>, with the lengths the setup gives;
/// they must add up to <c>total_num_tokens</c> over <c>num_requests</c>.</para>
/// <para>Ids are the file's name without <c>.json</c>, a dash and the metric; for a <c>.jsonl</c> file, the name, the
/// line and the metric.</para>
/// </remarks>
public static class BenchmarkResultImport
{
    private const string Serve = "vllm bench serve";
    private const string Throughput = "vllm bench throughput";
    private const string SglangServe = "sglang bench_serving";

    /// <summary>Reads result files and returns their rows, in the order of the files, or records every problem.</summary>
    /// <param name="paths">The result files.</param>
    /// <param name="setup">What the files do not record.</param>
    /// <param name="errors">Collects every problem of every file.</param>
    /// <returns>The rows; empty when any file has a problem.</returns>
    public static IReadOnlyList<Measurement> Read(IReadOnlyList<string> paths, BenchmarkSetup setup, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(errors);
        int before = errors.All.Count;
        var rows = new List<Measurement>();
        var stems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string path in paths)
        {
            string stem = Path.GetFileNameWithoutExtension(path);
            if (!stems.TryAdd(stem, path))
            {
                errors.Add(path, $"has the same name as {stems[stem]}, and the rows' ids come from the file name ({stem}-…). Rename one of them.");
                continue;
            }

            if (!File.Exists(path))
            {
                errors.Add(path, "the file does not exist. Check the path.");
                continue;
            }

            rows.AddRange(Parse(Path.GetFileName(path), File.ReadAllText(path), setup, errors));
        }

        return errors.All.Count > before ? [] : rows;
    }

    /// <summary>The rows of one result file's text: one JSON object, or for a <c>.jsonl</c> file (SGLang appends one
    /// run per line) one object per line.</summary>
    /// <param name="name">The file name (for ids, the source and messages).</param>
    /// <param name="text">The JSON text.</param>
    /// <param name="setup">What the file does not record.</param>
    /// <param name="errors">Collects every problem.</param>
    /// <returns>The rows; empty when the file has a problem.</returns>
    public static IReadOnlyList<Measurement> Parse(string name, string text, BenchmarkSetup setup, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(errors);
        string stem = Path.GetFileNameWithoutExtension(name);
        if (!name.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
        {
            return ParseRun(name, text, new Origin(stem, "file=" + name), setup, errors);
        }

        int before = errors.All.Count;
        var rows = new List<Measurement>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length > 0)
            {
                // Blank lines in front keep the parser's line numbers those of the file.
                string line = new string('\n', i) + lines[i];
                rows.AddRange(ParseRun(name, line, new Origin(Invariant.Text($"{stem}-{i + 1}"), Invariant.Text($"file={name}; line={i + 1}")), setup, errors));
            }
        }

        if (rows.Count == 0 && errors.All.Count == before)
        {
            errors.Add(name, "has no result line. Pass the file sglang.bench_serving --output-file wrote.");
        }

        return errors.All.Count > before ? [] : rows;
    }

    /// <summary>Where a run's rows come from: the start of their ids, and the note item naming the file (and line).</summary>
    private sealed record Origin(string IdPrefix, string FileNote);

    private static IReadOnlyList<Measurement> ParseRun(string name, string text, Origin origin, BenchmarkSetup setup, InputErrors errors)
    {
        SpecNode? root = SpecNode.Parse(name, text, errors);
        if (root is null)
        {
            return [];
        }

        if (!root.IsMapping)
        {
            errors.Add(root.Where, "must be the JSON object vllm bench serve --save-result, vllm bench throughput --output-json or sglang.bench_serving --output-file writes.");
            return [];
        }

        int before = errors.All.Count;
        IReadOnlyList<Measurement> rows = root.Has("mean_ttft_ms")
            ? ServeRows(root, origin, setup, errors)
            : root.Has("requests_per_second")
                ? ThroughputRows(root, origin, setup, errors)
                : Unknown(root, errors);
        return errors.All.Count > before ? [] : rows;
    }

    private static List<Measurement> Unknown(SpecNode root, InputErrors errors)
    {
        errors.Add(root.Where, "is neither a serving result (it has no 'mean_ttft_ms') nor a vllm bench throughput result (no 'requests_per_second'). Pass the file written by vllm bench serve --save-result, vllm bench throughput --output-json or sglang.bench_serving --output-file.");
        return [];
    }

    private static List<Measurement> ServeRows(SpecNode root, Origin origin, BenchmarkSetup setup, InputErrors errors)
    {
        int before = errors.All.Count;
        bool sglang = root.Has("total_output_tokens_retokenized");
        int? completed = Field(root, "completed", errors)?.Integer(errors, 1);
        int? prompts = sglang && !root.Has("num_prompts") ? completed : Field(root, "num_prompts", errors)?.Integer(errors, 1);
        double? inputTotal = Field(root, "total_input_tokens", errors)?.Number(errors, 0, exclusiveMinimum: true);
        double? outputTotal = Field(root, "total_output_tokens", errors)?.Number(errors, 0, exclusiveMinimum: true);
        double? ttft = Field(root, "mean_ttft_ms", errors)?.Number(errors, 0, exclusiveMinimum: true);
        double? tpot = Field(root, "mean_tpot_ms", errors)?.Number(errors, 0);
        double? output = Field(root, "output_throughput", errors)?.Number(errors, 0, exclusiveMinimum: true);
        double? rate = Optional(root, "request_rate", errors) is { } r ? r.Number(errors, 0, exclusiveMinimum: true) : null;
        int? clients = Optional(root, "max_concurrency", errors) is { } c ? c.Integer(errors, 1) : null;
        string burstiness = Optional(root, "burstiness", errors)?.Text(errors) ?? "1.0";
        if (rate is not null && clients is not null)
        {
            errors.Add(root.Child("max_concurrency")!.Where, Invariant.Text($"the run offered {rate} requests/s and also capped the requests in flight at {clients}: neither a closed loop nor an open loop, which is all a measurement row describes. Rerun with --max-concurrency alone (a closed loop) or --request-rate alone (an open loop)."));
        }

        if (errors.All.Count > before)
        {
            return [];
        }

        double meanInput = inputTotal!.Value / completed!.Value;
        double meanOutput = outputTotal!.Value / completed.Value;
        int s = Math.Max(1, (int)Math.Round(meanInput, MidpointRounding.AwayFromZero));
        int o = Math.Max(1, (int)Math.Round(meanOutput, MidpointRounding.AwayFromZero));
        if ((setup.InputTokens is { } givenS && givenS != s) || (setup.OutputTokens is { } givenO && givenO != o))
        {
            errors.Add(root.Child("total_input_tokens")!.Where, Invariant.Text($"the run's requests had {meanInput:0.###} prompt and {meanOutput:0.###} output tokens on average, not the {setup.InputTokens?.ToString(CultureInfo.InvariantCulture) ?? "(any)"} and {setup.OutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "(any)"} given with --input-tokens and --output-tokens, which are for vllm bench throughput results. Leave them out, or convert this file separately."));
            return [];
        }

        MeasuredLoad load = clients is { } n ? MeasuredLoad.Closed(n)
            : MeasuredLoad.OpenLoop(rate is { } q ? RequestsPerSecond.FromRequestsPerSecond(q) : null);
        ClosedLoopRequests? requests = clients is not null ? new ClosedLoopRequests(0, prompts!.Value) : null;

        var note = new List<string> { origin.FileNote };
        if (!sglang)
        {
            note.Add(Invariant.Text($"num_prompts={prompts}"));
        }

        note.Add(Invariant.Text($"completed={completed}"));
        note.Add("request_rate=" + (rate is { } rr ? rr.ToString("R", CultureInfo.InvariantCulture) : "inf"));
        note.Add("max_concurrency=" + (clients is { } cc ? cc.ToString(CultureInfo.InvariantCulture) : "none"));
        note.Add("burstiness=" + burstiness);
        note.AddRange(Lengths(meanInput, s, meanOutput, o));
        foreach (string key in new[] { "backend", "model_id", "date", "dataset_name" })
        {
            if (root.Child(key)?.Text(new InputErrors()) is { Length: > 0 } value)
            {
                note.Add($"{key}={value}");
            }
        }

        if (requests is not null)
        {
            note.Add(MeasurementReader.RequestsNote(requests));
        }

        string tool = sglang ? SglangServe : Serve;
        Measurement Of(MeasuredMetric metric, double value) => Row(origin, tool, setup, s, o, load, metric, value, note, requests);
        var rows = new List<Measurement> { Of(MeasuredMetric.TimeToFirstToken, ttft!.Value) };
        if (o > 1 && tpot > 0)
        {
            rows.Add(Of(MeasuredMetric.TimePerOutputToken, tpot.Value));
        }

        rows.Add(Of(MeasuredMetric.OutputTokensPerSecond, output!.Value));
        return rows;
    }

    private static List<Measurement> ThroughputRows(SpecNode root, Origin origin, BenchmarkSetup setup, InputErrors errors)
    {
        int before = errors.All.Count;
        int? count = Field(root, "num_requests", errors)?.Integer(errors, 1);
        double? tokens = Field(root, "total_num_tokens", errors)?.Number(errors, 0, exclusiveMinimum: true);
        double? rate = Field(root, "requests_per_second", errors)?.Number(errors, 0, exclusiveMinimum: true);
        if (setup.InputTokens is null || setup.OutputTokens is null)
        {
            errors.Add(root.Where, "is a vllm bench throughput result, which records only the sum of the prompt and output tokens. Give the lengths you ran with --input-tokens and --output-tokens (vllm bench throughput --input-len and --output-len).");
        }

        if (errors.All.Count > before)
        {
            return [];
        }

        int s = setup.InputTokens!.Value;
        int o = setup.OutputTokens!.Value;
        double perRequest = tokens!.Value / count!.Value;
        if (Math.Abs(perRequest - (s + o)) > 0.5)
        {
            errors.Add(root.Child("total_num_tokens")!.Where, Invariant.Text($"{tokens} tokens over {count} requests is {perRequest:0.##} per request, but --input-tokens {s} and --output-tokens {o} add up to {s + o}. Give the lengths the run used."));
            return [];
        }

        string[] note = [origin.FileNote, Invariant.Text($"num_requests={count}"), Invariant.Text($"input and output tokens per request given: {s} and {o}")];
        return [Row(origin, Throughput, setup, s, o, MeasuredLoad.Max, MeasuredMetric.RequestsPerSecond, rate!.Value, note, null)];
    }

    private static IEnumerable<string> Lengths(double meanInput, int s, double meanOutput, int o)
    {
        if (meanInput != s)
        {
            yield return Invariant.Text($"mean input {meanInput:0.###} tokens taken as {s}");
        }

        if (meanOutput != o)
        {
            yield return Invariant.Text($"mean output {meanOutput:0.###} tokens taken as {o}");
        }
    }

    private static Measurement Row(Origin origin, string tool, BenchmarkSetup setup, int s, int o, MeasuredLoad load, MeasuredMetric metric, double value, IEnumerable<string> note, ClosedLoopRequests? requests) => new()
    {
        Id = $"{origin.IdPrefix}-{metric.Name()}",
        Source = tool,
        Engine = setup.Engine,
        Model = setup.Model,
        Gpu = setup.Gpu,
        Precision = setup.Precision,
        TensorParallel = setup.TensorParallel,
        PipelineParallel = setup.PipelineParallel,
        Replicas = setup.Replicas,
        InputTokens = s,
        OutputTokens = o,
        Load = load,
        Metric = metric,
        Value = value,
        Note = string.Join("; ", note),
        Requests = requests,
    };

    private static SpecNode? Field(SpecNode root, string key, InputErrors errors)
    {
        SpecNode? child = root.Child(key);
        if (child is null)
        {
            errors.Add(root.Where, $"has no '{key}'. Pass the whole file the benchmark wrote.");
        }

        return child;
    }

    /// <summary>A field that may be absent, <c>null</c> (Python's None) or infinite (vLLM writes an infinite rate as
    /// <c>"inf"</c>, Python's json as <c>Infinity</c>): null then, and also when it is not a single value (recorded as an
    /// error).</summary>
    private static SpecNode? Optional(SpecNode root, string key, InputErrors errors)
    {
        SpecNode? child = root.Child(key);
        string? text = child?.Text(errors);
        return text is null or "" or "null" or "inf" or "Infinity" ? null : child;
    }
}
