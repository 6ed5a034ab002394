using System.CommandLine;
using System.Globalization;
using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.IO;
using LlmPlan.Performance;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary>The options <c>validate</c> and <c>calibrate</c> share: the measurement file, the catalog, the engines'
/// sequence caps and the harness of closed-loop benchmarks.</summary>
internal sealed class MeasurementOptions
{
    public Option<string[]> Measurements { get; } = new("--measurements")
    {
        Description = "Measurement CSVs (header id,source,engine,model,gpu,precision,tp,pp,replicas,input_tokens,output_tokens,concurrency,metric,value,note; docs/formats.md), read as one: ids must differ across them. Give your own file beside examples/validate/calibration.csv to fit and check yours together with the project's measurements.",
        HelpName = "FILE",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>The measurement files given.</summary>
    public IReadOnlyList<string> Files(ParseResult parse) => parse.GetValue(Measurements) ?? [];

    /// <summary>The names of the measurement files, for report titles: <c>a.csv + b.csv</c>.</summary>
    public string Names(ParseResult parse) => string.Join(" + ", Files(parse).Select(Path.GetFileName));

    public Option<string?> Catalog { get; } = CommonOptions.Catalog();

    public Option<string[]> MaxSequences { get; } = new("--max-sequences")
    {
        Description = "An engine's cap on running sequences, ENGINE=N, where ENGINE is a family (vllm) or an exact engine column (vllm:0.10.0, which wins); repeatable. Defaults: trtllm 2048, sglang 4096, every other engine 256 (vLLM's max_num_seqs).",
        HelpName = "ENGINE=N",
    };

    public Option<string?> ClosedLoopRequests { get; } = new("--closed-loop-requests")
    {
        Description = "The requests per client of the closed-loop benchmarks whose TTFT rows are simulated, WARM:MEASURED: each of N clients' share of the requests sent first in the same stream and not measured, and of the measured ones (default 0:10: Dynamo's GenAI-Perf sweeps measure 10 x N requests, and GenAI-Perf, AIPerf, vllm bench serve and sglang.bench_serving finish their warm-up before the measured requests start; 0:P/N for vllm bench serve --num-prompts P). TTFT depends on the harness; a row whose note records its benchmark's requests (warm_up_requests=W; measured_requests=R, as measurements from-vllm writes) keeps its own.",
        HelpName = "W:R",
    };

    public void AddTo(Command command)
    {
        command.Add(Measurements);
        command.Add(Catalog);
        command.Add(MaxSequences);
        command.Add(ClosedLoopRequests);
    }

    /// <summary>Reads --closed-loop-requests.</summary>
    public ClosedLoopHarness ReadHarness(ParseResult parse, InputErrors errors)
    {
        string? text = parse.GetValue(ClosedLoopRequests);
        if (text is null)
        {
            return ClosedLoopHarness.Default;
        }

        string[] parts = text.Split(':');
        if (parts.Length == 2
            && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int warmUp)
            && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int measured)
            && measured >= 1)
        {
            return new ClosedLoopHarness(warmUp, measured);
        }

        errors.Add("--closed-loop-requests", $"'{text}' is not WARM:MEASURED with whole numbers of requests per client, WARM at least 0 and MEASURED at least 1, e.g. 0:10 (the default) or 2:10 (2 warm-up requests per client in the stream).");
        return ClosedLoopHarness.Default;
    }

    /// <summary>Reads the caps given with --max-sequences.</summary>
    public IReadOnlyDictionary<string, int> ReadCaps(ParseResult parse, InputErrors errors)
    {
        var caps = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string text in parse.GetValue(MaxSequences) ?? [])
        {
            int eq = text.IndexOf('=', StringComparison.Ordinal);
            string engine = eq < 0 ? string.Empty : text[..eq].Trim().ToLowerInvariant();
            if (eq < 1 || !int.TryParse(text[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int cap) || cap < 1)
            {
                errors.Add("--max-sequences", $"'{text}' is not ENGINE=N with N a whole number of at least 1, e.g. vllm=1024.");
            }
            else if (!caps.TryAdd(engine, cap))
            {
                errors.Add("--max-sequences", $"engine '{engine}' is given twice. Give each engine once.");
            }
        }

        return caps;
    }

    /// <summary>Reads the measurements and the catalog and builds every row's deployment, or throws with every input
    /// problem at once.</summary>
    public (IReadOnlyList<PreparedMeasurement> Rows, HardwareCatalog Catalog) Load(ParseResult parse, InputErrors errors)
    {
        IReadOnlyDictionary<string, int> caps = ReadCaps(parse, errors);
        ClosedLoopHarness harness = ReadHarness(parse, errors);
        // A file given twice would report each of its ids as repeated; say that instead, with the other problems so far.
        var repeated = Files(parse).GroupBy(Path.GetFullPath).Where(g => g.Count() > 1).ToList();
        foreach (var file in repeated)
        {
            errors.Add("--measurements", $"'{file.First()}' is given {file.Count()} times. Give each file once.");
        }

        if (repeated.Count > 0)
        {
            errors.ThrowIfAny();
        }

        IReadOnlyList<Measurement> rows = MeasurementReader.Read(Files(parse), errors);
        errors.ThrowIfAny();
        HardwareCatalog catalog = CommonOptions.LoadCatalog(parse.GetValue(Catalog));
        return ([.. rows.Select(r => MeasurementPredictor.Prepare(r, catalog, caps, harness))], catalog);
    }
}
