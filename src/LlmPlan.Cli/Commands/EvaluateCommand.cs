using System.CommandLine;
using System.Globalization;
using LlmPlan.Catalog;
using LlmPlan.Cli.Rendering;
using LlmPlan.Cluster;
using LlmPlan.IO;
using LlmPlan.Performance;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan evaluate</c>: predicts memory, concurrency, latency, throughput and cost of deployments.</summary>
internal static class EvaluateCommand
{
    private static readonly Option<string?> Model = new("--model") { Description = "Model id from the catalog, e.g. llama-3.1-70b (llmplan catalog models).", HelpName = "M" };
    private static readonly Option<string?> Gpu = new("--gpu") { Description = "GPU id from the catalog, e.g. H100-SXM-80GB; priced at the cheapest per-GPU price of a catalog instance (see --provider).", HelpName = "G" };
    private static readonly Option<string?> Instance = new("--instance") { Description = "Instance name from the catalog, e.g. p4d.24xlarge; billed per whole instance.", HelpName = "I" };
    private static readonly Option<int> TensorParallel = new("--tp") { Description = "Tensor-parallel degree: GPUs per stage (inside one instance).", DefaultValueFactory = _ => 1, HelpName = "T" };
    private static readonly Option<int> PipelineParallel = new("--pp") { Description = "Pipeline-parallel degree: stages, layers split evenly (remainder to the first stages).", DefaultValueFactory = _ => 1, HelpName = "P" };
    private static readonly Option<int?> InputTokens = new("--input-tokens") { Description = "Prompt tokens per request.", HelpName = "S" };
    private static readonly Option<int?> OutputTokens = new("--output-tokens") { Description = "Generated tokens per request.", HelpName = "O" };
    private static readonly Option<string> Concurrency = new("--concurrency") { Description = "Sequences in flight (closed loop), or 'max': as many as KV memory and --max-sequences allow.", DefaultValueFactory = _ => "max", HelpName = "N|max" };
    private static readonly Option<string> WeightPrecision = new("--precision") { Description = "Weight precision: fp16, bf16, fp8, int8, int4 or fp4.", DefaultValueFactory = _ => "bf16", HelpName = "P" };
    private static readonly Option<string?> KvPrecision = new("--kv-precision") { Description = "KV-cache precision: fp16, bf16, fp8 or int8 (default: fp16 for fp16 weights, else bf16).", HelpName = "P" };
    private static readonly Option<string?> Provider = new("--provider") { Description = "Prices from this provider (aws, gcp, azure, lambda, coreweave, nebius): with --gpu, the cheapest per-GPU price of its instances; with --sweep, for per-GPU-type pools (default aws). Falls back to any provider that rents the GPU.", HelpName = "P" };
    private static readonly Option<int> MaxSequences = new("--max-sequences") { Description = "Engine cap on running sequences (vLLM max_num_seqs).", DefaultValueFactory = _ => EngineSettings.Default.MaxSequences, HelpName = "N" };
    private static readonly Option<double> MemoryUtilization = new("--gpu-memory-utilization") { Description = "Fraction of GPU memory the engine may use (vLLM gpu_memory_utilization).", DefaultValueFactory = _ => EngineSettings.Default.GpuMemoryUtilization, HelpName = "F" };
    private static readonly Option<string?> Placement = new("--placement") { Description = "Evaluate the stages of FILE instead of a uniform TP x PP layout: our YAML/JSON stage list (instance or gpu, tp, layers per stage) or the placement seed's --evaluate-placement JSON. Flags override the file's model and workload fields.", HelpName = "FILE" };
    private static readonly Option<bool> Sweep = new("--sweep") { Description = "Evaluate every instance family x TP (1, 2, 4, 8) x PP (1, 2, 4, 8) that the pool can host (the placement seed's eval sweep): one table, and with --out FILE.csv the seed's eval_results.csv columns plus ours. Needs --pool or --config-dir." };
    private static readonly Option<string?> Pool = new("--pool") { Description = "With --sweep: a seed gpu_pool.csv (per instance: instance_name,count[,dollar_per_hour]; or per GPU type: gpu_type,count,memory_gb[,dollar_per_hour]).", HelpName = "FILE" };
    private static readonly Option<string?> ConfigDirectory = new("--config-dir") { Description = "With --sweep: a seed config dir (config.csv; gpu_pool.csv here or in its parent); model and lengths come from config.csv unless flags say otherwise.", HelpName = "DIR" };
    private static readonly Option<bool> ClosedLoop = new("--closed-loop") { Description = "Also simulate a closed-loop benchmark of the --concurrency N clients (they start together and each sends its next request when the last one finishes, as vllm bench serve --max-concurrency N does) and report its mean TTFT and TPOT beside the steady-state ones. One pipeline stage only; docs/model.md §5." };
    private static readonly Option<int?> WarmUpRequests = new("--warm-up-requests") { Description = "With --closed-loop: the requests the benchmark sends first in the same stream and does not measure, in all (default 0: GenAI-Perf, AIPerf, vllm bench serve and sglang.bench_serving finish their warm-up before the measured requests start).", HelpName = "W" };
    private static readonly Option<int?> MeasuredRequests = new("--measured-requests") { Description = "With --closed-loop: the requests measured, in all (default 10 x --concurrency, as Dynamo's GenAI-Perf sweeps; for vllm bench serve, its --num-prompts).", HelpName = "R" };
    private static readonly Option<string?> Catalog = CommonOptions.Catalog();
    private static readonly Option<string?> Out = CommonOptions.Out("Write the result to FILE: .json (full detail, per stage) or .csv (one row per deployment).");

    public static Command Create()
    {
        var command = new Command("evaluate", "Predict memory per GPU, max concurrency, TTFT, TPOT, tokens/s, $/h and $ per million tokens of one deployment. Exit 2 when it cannot run (the reason and memory breakdown are printed).")
        {
            Model, Gpu, Instance, TensorParallel, PipelineParallel, InputTokens, OutputTokens, Concurrency, WeightPrecision, KvPrecision,
            Provider, MaxSequences, MemoryUtilization, ClosedLoop, WarmUpRequests, MeasuredRequests, Placement, Sweep, Pool, ConfigDirectory, Catalog, Out,
        };
        command.SetAction(parse => parse.GetValue(Sweep)
            ? ExecuteSweep(parse)
            : Execute(parse, parse.InvocationConfiguration.Output));
        return command;
    }

    private static int Execute(ParseResult parse, TextWriter output)
    {
        var errors = new InputErrors();
        HardwareCatalog catalog = CommonOptions.LoadCatalog(parse.GetValue(Catalog));
        string? outPath = CheckOut(parse.GetValue(Out), errors);
        EngineSettings engine = ReadEngine(parse, errors);
        string? placementPath = parse.GetValue(Placement);
        CommonOptions.RefuseInputAsOutput(parse.GetValue(Out), "--out", [placementPath, parse.GetValue(Pool), .. CommonOptions.SeedDirectoryFiles(parse.GetValue(ConfigDirectory))], errors);
        PlacementFile? file = placementPath is null ? null : PlacementFile.Read(placementPath, errors);
        if (placementPath is not null)
        {
            foreach (Option option in new Option[] { Gpu, Instance, TensorParallel, PipelineParallel, Provider }.Where(o => Given(parse, o)))
            {
                errors.Add(option.Name, "does not go with --placement: the file places every stage. Drop the flag or the file.");
            }
        }

        var (weights, kv) = ReadPrecisions(parse, errors, file?.Weights, file?.KvCache);
        Workload? workload = ReadWorkload(parse, errors, file);
        string? modelId = parse.GetValue(Model) ?? file?.Model;
        ModelArchitecture? model = modelId is null ? null : catalog.RequireModel(modelId, "--model", errors);
        if (modelId is null)
        {
            errors.Add("--model", $"is required{(file is null ? string.Empty : " (the placement file names none)")}. {Model.Description}");
        }

        if (file?.MaxSequences is int cap && !Given(parse, MaxSequences))
        {
            engine = engine with { MaxSequences = cap };
        }

        bool simulate = parse.GetValue(ClosedLoop);
        ClosedLoopRequests? closedLoop = ReadClosedLoop(parse, simulate, workload, errors);

        if (file is not null)
        {
            var built = model is not null && file.AllStagesRead ? PlacementBuilder.Build(model, file.Stages, weights, kv, catalog, errors) : null;
            if (simulate && built is { Deployment.Stages.Count: > 1 and var stages })
            {
                errors.Add("--closed-loop", Invariant.Text($"simulates one pipeline stage; the placement has {stages}. Drop --closed-loop."));
            }

            errors.ThrowIfAny();
            return Report(output, outPath, Evaluate(built!.Value.Deployment, workload!, engine, built.Value.PriceSource, closedLoop));
        }

        Hardware? hardware = ReadHardware(parse, catalog, errors);
        int tp = Positive(parse, TensorParallel, errors);
        int pp = Positive(parse, PipelineParallel, errors);
        if (simulate && pp > 1)
        {
            errors.Add("--closed-loop", Invariant.Text($"simulates one pipeline stage; --pp is {pp}. Use --pp 1 or drop --closed-loop."));
        }

        errors.ThrowIfAny();

        var (deployment, problem) = UniformLayout.Build(model!, hardware!, tp, pp, weights, kv);
        if (deployment is null)
        {
            output.WriteLine($"infeasible: {problem}");
            return (int)ExitCode.Infeasible;
        }

        return Report(output, outPath, Evaluate(deployment, workload!, engine, hardware!.PriceSource, closedLoop));
    }

    /// <summary>The prediction of one deployment and, when asked and it runs, the simulated closed-loop benchmark of the
    /// workload's clients.</summary>
    private static EvaluatedDeployment Evaluate(Deployment deployment, Workload workload, EngineSettings engine, string priceSource, ClosedLoopRequests? closedLoop)
    {
        Evaluation result = PerformanceModel.Evaluate(deployment, workload, engine);
        return new EvaluatedDeployment(deployment, workload, result, priceSource)
        {
            ClosedLoop = closedLoop is not null && result.Feasible
                ? ClosedLoopSimulation.Run(deployment, workload.InputTokens, workload.OutputTokens, workload.Concurrency!.Value, result.MaxConcurrency, engine, closedLoop)
                : null,
        };
    }

    /// <summary>The requests of the simulated closed-loop benchmark, or null without <c>--closed-loop</c>: the warm-up and
    /// measured counts given, else the harness default (<see cref="ClosedLoopRequests.For"/>).</summary>
    private static ClosedLoopRequests? ReadClosedLoop(ParseResult parse, bool simulate, Workload? workload, InputErrors errors)
    {
        int? warmUp = parse.GetValue(WarmUpRequests);
        int? measured = parse.GetValue(MeasuredRequests);
        if (!simulate)
        {
            foreach (Option option in new Option[] { WarmUpRequests, MeasuredRequests }.Where(o => Given(parse, o)))
            {
                errors.Add(option.Name, "counts the requests of the simulated benchmark; add --closed-loop or drop the flag.");
            }

            return null;
        }

        if (warmUp < 0)
        {
            errors.Add(WarmUpRequests.Name, $"{warmUp.Value.ToString(CultureInfo.InvariantCulture)} is out of range; it must be at least 0.");
        }

        if (measured < 1)
        {
            errors.Add(MeasuredRequests.Name, $"{measured.Value.ToString(CultureInfo.InvariantCulture)} is out of range; it must be at least 1.");
        }

        if (workload is { Concurrency: null })
        {
            errors.Add("--closed-loop", "needs --concurrency N, the number of clients; 'max' names none.");
            return null;
        }

        if (workload is not { Concurrency: int clients } || warmUp < 0 || measured < 1)
        {
            return null;
        }

        ClosedLoopRequests defaults = ClosedLoopRequests.For(clients);
        return new ClosedLoopRequests(warmUp ?? defaults.WarmUp, measured ?? defaults.Measured);
    }

    private static int ExecuteSweep(ParseResult parse)
    {
        var errors = new InputErrors();
        HardwareCatalog catalog = CommonOptions.LoadCatalog(parse.GetValue(Catalog));
        foreach (Option option in new Option[] { Gpu, Instance, TensorParallel, PipelineParallel, Placement, ClosedLoop, WarmUpRequests, MeasuredRequests }.Where(o => Given(parse, o)))
        {
            errors.Add(option.Name, "does not go with --sweep: the sweep tries every instance family, TP and PP of the pool. Drop the flag.");
        }

        EngineSettings engine = ReadEngine(parse, errors);
        var (weights, kv) = ReadPrecisions(parse, errors);
        int? input = CommonOptions.AtLeastOneOrNull(parse, InputTokens, errors);
        int? outputTokens = CommonOptions.AtLeastOneOrNull(parse, OutputTokens, errors);
        string concurrencyText = parse.GetValue(Concurrency)!;
        int? concurrency = string.Equals(concurrencyText, "max", StringComparison.OrdinalIgnoreCase) ? null : ValueParsing.Integer(concurrencyText, "--concurrency", errors, 1);
        string provider = parse.GetValue(Provider)?.ToLowerInvariant() ?? "aws";
        if (!catalog.Providers.Contains(provider))
        {
            errors.Add("--provider", $"unknown provider '{provider}'. Use one of: {string.Join(", ", catalog.Providers)}.");
        }

        var request = new EvaluateSweep.Request(
            parse.GetValue(Pool), parse.GetValue(ConfigDirectory), parse.GetValue(Model), input, outputTokens, concurrency, weights, kv, provider, engine, Given(parse, MemoryUtilization), parse.GetValue(Out));
        return EvaluateSweep.Run(request, catalog, errors, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
    }

    private static int Report(TextWriter output, string? outPath, EvaluatedDeployment evaluated)
    {
        EvaluationTable.Write(output, evaluated);
        if (outPath is not null)
        {
            CommonOptions.WriteFile(outPath, IsCsv(outPath) ? Csv([evaluated]) : EvaluationWriter.Json(evaluated));
        }

        return evaluated.Result.Feasible ? (int)ExitCode.Ok : (int)ExitCode.Infeasible;
    }

    /// <summary>Whether the user typed the option (as opposed to its default).</summary>
    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    internal static string Csv(IEnumerable<EvaluatedDeployment> rows)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        EvaluationWriter.WriteCsv(rows, writer);
        return writer.ToString();
    }

    private static bool IsCsv(string path) => Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase);

    private static string? CheckOut(string? path, InputErrors errors)
    {
        if (path is not null && !IsCsv(path) && !Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("--out", $"'{path}' must end in .json or .csv.");
        }

        return path;
    }

    private static int Positive(ParseResult parse, Option<int> option, InputErrors errors)
    {
        int value = parse.GetValue(option);
        if (value < 1)
        {
            errors.Add(option.Name, $"{value.ToString(CultureInfo.InvariantCulture)} is out of range; it must be at least 1.");
        }

        return value;
    }

    private static Hardware? ReadHardware(ParseResult parse, HardwareCatalog catalog, InputErrors errors)
    {
        string? gpu = parse.GetValue(Gpu);
        string? instance = parse.GetValue(Instance);
        if ((gpu is null) == (instance is null))
        {
            errors.Add("--gpu/--instance", "give exactly one: --gpu G (bare GPUs, priced per GPU) or --instance I (whole instances).");
            return null;
        }

        string? provider = parse.GetValue(Provider)?.ToLowerInvariant();
        if (provider is not null && !catalog.Providers.Contains(provider))
        {
            errors.Add("--provider", $"unknown provider '{provider}'. Use one of: {string.Join(", ", catalog.Providers)}.");
            return null;
        }

        if (gpu is not null)
        {
            return catalog.RequireGpu(gpu, "--gpu", errors) is GpuSpec spec ? Hardware.ForGpu(spec, catalog, provider) : null;
        }

        return catalog.RequireInstance(instance!, "--instance", errors) is CloudInstance found ? Hardware.ForInstance(found) : null;
    }

    internal static Workload? ReadWorkload(ParseResult parse, InputErrors errors, PlacementFile? file = null)
    {
        int? input = parse.GetValue(InputTokens) ?? file?.InputTokens;
        int? output = parse.GetValue(OutputTokens) ?? file?.OutputTokens;
        if (input is null)
        {
            errors.Add("--input-tokens", "is required: the prompt tokens per request, e.g. 2048.");
        }
        else if (input < 1)
        {
            errors.Add("--input-tokens", $"{input.Value.ToString(CultureInfo.InvariantCulture)} is out of range; it must be at least 1.");
        }

        if (output is null)
        {
            errors.Add("--output-tokens", "is required: the generated tokens per request, e.g. 512.");
        }
        else if (output < 1)
        {
            errors.Add("--output-tokens", $"{output.Value.ToString(CultureInfo.InvariantCulture)} is out of range; it must be at least 1.");
        }

        string concurrencyText = Given(parse, Concurrency) || file?.Concurrency is null ? parse.GetValue(Concurrency)! : file.Concurrency;
        int? concurrency = null;
        if (!string.Equals(concurrencyText, "max", StringComparison.OrdinalIgnoreCase))
        {
            concurrency = ValueParsing.Integer(concurrencyText, "--concurrency", errors, 1);
            if (concurrency is null)
            {
                return null;
            }
        }

        return input >= 1 && output >= 1 ? new Workload(input.Value, output.Value, concurrency) : null;
    }

    internal static (Precision Weights, Precision KvCache) ReadPrecisions(ParseResult parse, InputErrors errors, Precision? fileWeights = null, Precision? fileKv = null) =>
        CommonOptions.Precisions(
            Given(parse, WeightPrecision) || fileWeights is null ? parse.GetValue(WeightPrecision) : null, parse.GetValue(KvPrecision), fileWeights ?? Precision.Bf16, fileKv, errors);

    internal static EngineSettings ReadEngine(ParseResult parse, InputErrors errors)
    {
        int maxSequences = parse.GetValue(MaxSequences);
        double utilization = parse.GetValue(MemoryUtilization);
        if (maxSequences < 1)
        {
            errors.Add("--max-sequences", $"{maxSequences.ToString(CultureInfo.InvariantCulture)} is out of range; it must be at least 1.");
        }

        if (!(utilization > 0 && utilization <= 1))
        {
            errors.Add("--gpu-memory-utilization", $"{utilization.ToString(CultureInfo.InvariantCulture)} is out of range; it is a fraction in (0, 1], e.g. 0.9.");
        }

        return EngineSettings.Default with { MaxSequences = maxSequences, GpuMemoryUtilization = utilization };
    }
}
