using System.CommandLine;
using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan measurements from-vllm|from-sglang</c>: turns benchmark result files into a measurement file.</summary>
internal static class MeasurementsCommand
{
    public static Command Create()
    {
        var command = new Command("measurements", "Write measurement files (the CSV validate and calibrate read) from benchmark results.");
        command.Add(FromResults(
            "from-vllm",
            "vllm",
            "Result JSON files of vllm bench serve --save-result (or benchmark_serving.py) and vllm bench throughput --output-json (or benchmark_throughput.py).",
            "Turn vLLM benchmark results into measurement rows: a serving run (vllm bench serve --save-result) gives TTFT, TPOT and output tokens/s, with its load (a closed loop of --max-concurrency clients, qps:R, or qps:inf) and, for a closed loop, the requests it sent, which validate's simulation of the benchmark uses; a throughput run (vllm bench throughput --output-json) gives requests/s at max. The results do not record what was served: give it with --model, --gpu, --precision, --tp, --pp and --engine. Ids are each file's name and the metric."));
        command.Add(FromResults(
            "from-sglang",
            "sglang",
            "Result files of python -m sglang.bench_serving --output-file: JSON lines, one run per line.",
            "Turn SGLang benchmark results (python -m sglang.bench_serving --output-file, one run per line) into measurement rows: TTFT, TPOT and output tokens/s of each run, with its load (a closed loop of --max-concurrency clients, qps:R, or qps:inf) and, for a closed loop, the requests it completed, which validate's simulation of the benchmark uses. The results do not record what was served: give it with --model, --gpu, --precision, --tp, --pp and --engine. Ids are each file's name, the line and the metric."));
        return command;
    }

    private static Command FromResults(string name, string defaultEngine, string filesDescription, string description)
    {
        var files = new Argument<string[]>("RESULT") { Description = filesDescription, Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "The served model's catalog id (llmplan catalog models).", HelpName = "ID", Required = true };
        var gpu = new Option<string>("--gpu") { Description = "The GPU's catalog id (llmplan catalog gpus).", HelpName = "ID", Required = true };
        var precision = new Option<string>("--precision") { Description = "The weight precision served: fp16, bf16, fp8, int8, int4 or fp4.", HelpName = "P", DefaultValueFactory = _ => "bf16" };
        var tp = new Option<int?>("--tp") { Description = "The server's tensor-parallel size (default 1).", HelpName = "N" };
        var pp = new Option<int?>("--pp") { Description = "The server's pipeline-parallel size (default 1).", HelpName = "N" };
        var replicas = new Option<int?>("--replicas") { Description = "Data-parallel replicas behind the endpoint the benchmark drove (default 1).", HelpName = "N" };
        var engine = new Option<string>("--engine") { Description = $"The engine column: the server's engine and version, e.g. {defaultEngine}:{(defaultEngine == "vllm" ? "0.12.0" : "0.5.6")} (its family picks the engine's settings in validate and calibrate).", HelpName = "ENGINE", DefaultValueFactory = _ => defaultEngine };
        var input = new Option<int?>("--input-tokens") { Description = "Prompt tokens per request of a vllm bench throughput run (its file records only the sum; the run's --input-len).", HelpName = "S" };
        var output = new Option<int?>("--output-tokens") { Description = "Output tokens per request of a vllm bench throughput run (the run's --output-len).", HelpName = "O" };
        var catalog = CommonOptions.Catalog();
        var outFile = CommonOptions.Out("Write the measurement CSV to FILE (replaced if it exists) and print a summary; without it the CSV goes to standard output.");
        var command = new Command(name, description)
        {
            files, model, gpu, precision, tp, pp, replicas, engine, catalog, outFile,
        };
        bool throughputFiles = defaultEngine == "vllm";
        if (throughputFiles)
        {
            command.Add(input);
            command.Add(output);
        }

        command.SetAction(parse =>
        {
            var errors = new InputErrors();
            string[] paths = parse.GetValue(files) ?? [];
            string? path = parse.GetValue(outFile);
            CommonOptions.RefuseInputAsOutput(path, "--out", paths, errors);
            HardwareCatalog loaded = CommonOptions.LoadCatalog(parse.GetValue(catalog));
            ModelArchitecture? served = loaded.RequireModel(parse.GetValue(model)!, "--model", errors);
            GpuSpec? device = loaded.RequireGpu(parse.GetValue(gpu)!, "--gpu", errors);
            var (weights, _) = CommonOptions.Precisions(parse.GetValue(precision), null, Precision.Bf16, null, errors);
            string engineText = parse.GetValue(engine)!.Trim();
            if (engineText.Length == 0)
            {
                errors.Add("--engine", $"'{engineText}' is not an engine. Write the engine and its version, e.g. vllm:0.12.0.");
            }

            int t = CommonOptions.AtLeastOneOrNull(parse, tp, errors) ?? 1;
            int p = CommonOptions.AtLeastOneOrNull(parse, pp, errors) ?? 1;
            int r = CommonOptions.AtLeastOneOrNull(parse, replicas, errors) ?? 1;
            int? s = throughputFiles ? CommonOptions.AtLeastOneOrNull(parse, input, errors) : null;
            int? o = throughputFiles ? CommonOptions.AtLeastOneOrNull(parse, output, errors) : null;
            errors.ThrowIfAny();

            var setup = new BenchmarkSetup(engineText, served!.Id, device!.Id, weights, t, p, r, s, o);
            IReadOnlyList<Measurement> rows = BenchmarkResultImport.Read(paths, setup, errors);
            errors.ThrowIfAny();
            string csv = MeasurementWriter.Csv(rows);
            TextWriter writer = parse.InvocationConfiguration.Output;
            if (path is null)
            {
                writer.Write(csv);
                return (int)ExitCode.Ok;
            }

            CommonOptions.WriteFile(path, csv);
            writer.WriteLine(Invariant.Text($"{rows.Count} measurement rows from {paths.Length} file(s) written to {path}."));
            Tables.Write(
                writer,
                null,
                ["id", "concurrency", "input", "output", "metric", "value"],
                [.. rows.Select(m => (IReadOnlyList<string>)[m.Id, m.Load.ToString(), Whole(m.InputTokens), Whole(m.OutputTokens), m.Metric.Name(), CsvWriter.Number(m.Value, 3)])],
                new HashSet<int> { 2, 3, 5 });
            return (int)ExitCode.Ok;
        });
        return command;
    }

    private static string Whole(int? value) => value is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty;
}
