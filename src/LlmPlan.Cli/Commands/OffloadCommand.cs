using System.CommandLine;
using System.Globalization;
using LlmPlan.Catalog;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO;
using LlmPlan.IO.Offload;
using LlmPlan.Performance;
using LlmPlan.Planning.Offload;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan offload</c>: the cheapest machine that runs a batch job at a tokens/s target, with KV cache (and
/// optionally weights) in host memory where the GPU is too small (InferSave's question, with its flags as aliases).</summary>
internal static class OffloadCommand
{
    /// <summary>InferSave's four GPUs and the AWS instances it prices them as.</summary>
    internal static readonly IReadOnlyDictionary<string, string> InferSaveGpus = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["T4"] = "g4dn.xlarge",
        ["A10G"] = "g5.xlarge",
        ["L4"] = "g6.xlarge",
        ["L40S"] = "g6e.xlarge",
    };

    private static readonly Option<string?> Model = new("--model") { Description = "Model id from the catalog, e.g. opt-2.7b (InferSave's names such as OPT-2.7B work too).", HelpName = "M" };
    private static readonly Option<int?> BatchSize = new("--batch-size") { Description = "Sequences per batch B: prefilled together, then decoded together.", HelpName = "B" };
    private static readonly Option<int?> InputTokens = new("--input-tokens", "--input-len") { Description = "Prompt tokens per request S.", HelpName = "S" };
    private static readonly Option<int?> OutputTokens = new("--output-tokens", "--output-len") { Description = "Generated tokens per request O.", HelpName = "O" };
    private static readonly Option<int?> Requests = new("--requests") { Description = "Requests in the job N, run in batches of B one after another (default: one batch, N = B).", HelpName = "N" };
    private static readonly Option<int?> MaxBatchSize = new("--max-batch-size") { Description = "Also try every batch size from B up to M (and at most N): a larger batch needs more offload but may finish the job for less. Default: B only.", HelpName = "M" };
    private static readonly Option<double?> Slo = new("--slo-tokens-per-s", "--slo-tps") { Description = "Tokens/s the job must reach (counted as --tokens says). Default: no target; the cheapest machine wins.", HelpName = "X" };
    private static readonly Option<string> TokensCounted = new("--tokens") { Description = "Which tokens tokens/s targets and tokens per $ count: output (generated only) or total (prompt + generated, as InferSave's TPS).", DefaultValueFactory = _ => "output", HelpName = "output|total" };
    private static readonly Option<double> SafetyFactor = new("--safety-factor") { Description = "Fraction of GPU memory, and of host memory, a plan may fill.", DefaultValueFactory = _ => OffloadSettings.Default.SafetyFactor, HelpName = "F" };
    private static readonly Option<string> WeightPrecision = new("--precision") { Description = "Weight precision: fp16, bf16, fp8, int8, int4 or fp4 (or InferSave's bytes per parameter: 2 = fp16, 1 = int8).", DefaultValueFactory = _ => "fp16", HelpName = "P" };
    private static readonly Option<string?> KvPrecision = new("--kv-precision") { Description = "KV-cache precision: fp16, bf16, fp8 or int8 (default: fp16 for fp16 weights, else bf16).", HelpName = "P" };
    private static readonly Option<string> Provider = new("--provider") { Description = "Candidates are this provider's single-GPU instances (aws, gcp, azure, lambda, coreweave, nebius).", DefaultValueFactory = _ => "aws", HelpName = "P" };
    private static readonly Option<string?> Instances = new("--instances") { Description = "Comma-separated catalog instances to compare instead (InferSave's GPU names T4, A10G, L4, L40S mean g4dn.xlarge, g5.xlarge, g6.xlarge, g6e.xlarge). A multi-GPU instance runs the model tensor-parallel over all its GPUs.", HelpName = "I,I,…" };
    private static readonly Option<string?> Gpu = new("--gpu") { Description = "Plan one machine with this catalog GPU and --host-memory instead of cloud instances (e.g. an on-premises server).", HelpName = "G" };
    private static readonly Option<double?> HostMemory = new("--host-memory") { Description = "With --gpu: the machine's host memory in GiB.", HelpName = "GIB" };
    private static readonly Option<double?> Price = new("--price-per-hour") { Description = "With --gpu: the machine's price in $/h (without it, costs are not shown and the fastest machine wins).", HelpName = "USD" };
    private static readonly Option<bool> AllowWeightOffload = new("--allow-weight-offload") { Description = "Let weights live in host memory too, streamed to the GPU layer by layer each step. The plan offloads the fewest layers' weights that let the batch fit, then the fewest layers' KV cache." };
    private static readonly Option<bool> NoOverlap = new("--no-overlap") { Description = "The engine does not overlap host transfers with compute: a layer's transfer and compute add up." };
    private static readonly Option<string?> HostLink = new("--host-link-gbps") { Description = "Host-to-GPU and GPU-to-host copy rates in GB/s, as H2D or H2D:D2H, instead of the catalog's (measured where known, else the PCIe link × 0.878).", HelpName = "H2D[:D2H]" };
    private static readonly Option<string> BillingOption = new("--billing") { Description = "second: per second with a one-minute minimum (AWS, Google Cloud); hour: per started hour.", DefaultValueFactory = _ => "second", HelpName = "second|hour" };
    private static readonly Option<string?> Catalog = CommonOptions.Catalog();
    private static readonly Option<string?> Out = CommonOptions.Out("Also write the plan to FILE: .json (request, kv_cache_bytes, weights_bytes, candidates, best) or .csv (one row per candidate).");

    public static Command Create()
    {
        var command = new Command("offload", "Find the cheapest machine that runs a batch job (B sequences of S prompt + O generated tokens, N requests) at a tokens/s target, keeping part of the KV cache (and optionally of the weights) in host memory when the GPU is too small. Exit 2 when no machine can.")
        {
            Model, BatchSize, InputTokens, OutputTokens, Requests, MaxBatchSize, Slo, TokensCounted, SafetyFactor, WeightPrecision, KvPrecision,
            Provider, Instances, Gpu, HostMemory, Price, AllowWeightOffload, NoOverlap, HostLink, BillingOption, Catalog, Out,
        };
        command.SetAction(parse => Execute(parse, parse.InvocationConfiguration.Output));
        return command;
    }

    private static int Execute(ParseResult parse, TextWriter output)
    {
        var errors = new InputErrors();
        HardwareCatalog catalog = CommonOptions.LoadCatalog(parse.GetValue(Catalog));
        string? outPath = parse.GetValue(Out);
        if (outPath is not null && !outPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !outPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("--out", $"'{outPath}' must end in .json or .csv.");
        }

        string? modelId = parse.GetValue(Model);
        ModelArchitecture? model = modelId is null ? null : catalog.RequireModel(modelId, "--model", errors);
        if (modelId is null)
        {
            errors.Add("--model", "is required: a catalog model id, e.g. opt-2.7b (llmplan catalog models).");
        }

        int? batch = Required(parse, BatchSize, "the sequences per batch, e.g. 32", errors);
        int? input = Required(parse, InputTokens, "the prompt tokens per request, e.g. 128", errors);
        int? outputTokens = Required(parse, OutputTokens, "the generated tokens per request, e.g. 512", errors);
        int? requests = CommonOptions.AtLeastOneOrNull(parse, Requests, errors);
        int? maxBatch = CommonOptions.AtLeastOneOrNull(parse, MaxBatchSize, errors);
        if (batch is int b && maxBatch is int m && m < b)
        {
            errors.Add("--max-batch-size", Invariant.Text($"{m} is smaller than --batch-size {b}; give a largest batch of at least {b}."));
        }

        if (batch is int b2 && requests is int n && n < b2)
        {
            errors.Add("--requests", Invariant.Text($"{n} is smaller than --batch-size {b2}: a batch cannot hold more sequences than the job has. Lower --batch-size to {n}."));
        }

        double? slo = parse.GetValue(Slo);
        if (slo is double s && !(s > 0 && double.IsFinite(s)))
        {
            errors.Add(Slo.Name, $"{s.ToString(CultureInfo.InvariantCulture)} is out of range; it is a positive number of tokens/s.");
        }

        TokenCount? tokens = Choice(parse, TokensCounted, [("output", TokenCount.Output), ("total", TokenCount.Total)], errors);
        Billing? billing = Choice(parse, BillingOption, [("second", Billing.PerSecond), ("hour", Billing.PerHour)], errors);
        double safety = parse.GetValue(SafetyFactor);
        if (!(safety > 0 && safety <= 1))
        {
            errors.Add("--safety-factor", $"{safety.ToString(CultureInfo.InvariantCulture)} is out of range; it is a fraction in (0, 1], e.g. 0.9.");
        }

        var (weights, kv) = ReadPrecisions(parse, errors);
        var (toDevice, toHost) = ReadHostLink(parse.GetValue(HostLink), errors);
        IReadOnlyList<OffloadMachine> machines = ReadMachines(parse, catalog, errors);
        errors.ThrowIfAny();

        var request = new OffloadRequest
        {
            Model = model!,
            Weights = weights,
            KvCache = kv,
            BatchSize = batch!.Value,
            MaxBatchSize = maxBatch ?? batch.Value,
            InputTokens = input!.Value,
            OutputTokens = outputTokens!.Value,
            Requests = requests ?? batch.Value,
            Slo = slo is double target ? TokensPerSecond.FromTokensPerSecond(target) : null,
            Tokens = tokens!.Value,
            Billing = billing!.Value,
            AllowWeightOffload = parse.GetValue(AllowWeightOffload),
            Settings = OffloadSettings.Default with
            {
                SafetyFactor = safety,
                Overlap = !parse.GetValue(NoOverlap),
                HostToDevice = toDevice,
                DeviceToHost = toHost,
            },
            Machines = machines,
        };
        OffloadPlan plan = OffloadPlanner.Plan(request);
        OffloadReport.Write(output, plan);
        if (outPath is not null)
        {
            CommonOptions.WriteFile(outPath, outPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? OffloadPlanWriter.Csv(plan) : OffloadPlanWriter.Json(plan));
        }

        return (int)(plan.Best is null ? ExitCode.Infeasible : ExitCode.Ok);
    }

    private static IReadOnlyList<OffloadMachine> ReadMachines(ParseResult parse, HardwareCatalog catalog, InputErrors errors)
    {
        string? gpuId = parse.GetValue(Gpu);
        string? list = parse.GetValue(Instances);
        double? host = parse.GetValue(HostMemory);
        double? price = parse.GetValue(Price);
        bool providerGiven = parse.GetResult(Provider) is { Implicit: false };
        if (gpuId is not null)
        {
            if (list is not null || providerGiven)
            {
                errors.Add("--gpu", "does not go with --instances or --provider: it plans one machine of your own. Drop one of them.");
            }

            if (host is null)
            {
                errors.Add("--host-memory", "is required with --gpu: the machine's host memory in GiB, e.g. 208.");
            }
            else if (!(host > 0 && double.IsFinite(host.Value)))
            {
                errors.Add("--host-memory", $"{host.Value.ToString(CultureInfo.InvariantCulture)} is out of range; it is a positive number of GiB.");
            }

            if (price is double p && !(p >= 0 && double.IsFinite(p)))
            {
                errors.Add("--price-per-hour", $"{p.ToString(CultureInfo.InvariantCulture)} is out of range; it is a price in $/h, at least 0.");
            }

            GpuSpec? gpu = catalog.RequireGpu(gpuId, "--gpu", errors);
            return gpu is null || host is not > 0
                ? []
                : [OffloadMachine.BareGpu(gpu, Bytes.FromGibibytes(host.Value), price is double pr ? DollarsPerHour.FromDollarsPerHour(pr) : null, catalog)];
        }

        foreach (var (option, value) in new (Option Option, object? Value)[] { (HostMemory, host), (Price, price) }.Where(x => x.Value is not null))
        {
            errors.Add(option.Name, "goes with --gpu only (a machine of your own); catalog instances have their own.");
        }

        if (list is not null)
        {
            if (providerGiven)
            {
                errors.Add("--provider", "does not go with --instances: the list names the instances. Drop one of them.");
            }

            var machines = new List<OffloadMachine>();
            foreach (string name in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                string instanceName = catalog.FindInstance(name) is null && InferSaveGpus.TryGetValue(name, out string? mapped) ? mapped : name;
                if (catalog.RequireInstance(instanceName, "--instances", errors) is CloudInstance instance)
                {
                    if (machines.Any(m => m.Name == instance.Name))
                    {
                        errors.Add("--instances", $"'{instance.Name}' is listed twice; list each instance once.");
                        continue;
                    }

                    machines.Add(OffloadMachine.FromInstance(instance));
                }
            }

            if (machines.Count == 0 && errors.All.Count == 0)
            {
                errors.Add("--instances", "lists no instance; give catalog instance names separated by commas, e.g. g4dn.xlarge,g5.xlarge.");
            }

            return machines;
        }

        string provider = parse.GetValue(Provider)!.ToLowerInvariant();
        if (!catalog.Providers.Contains(provider))
        {
            errors.Add("--provider", $"unknown provider '{provider}'. Use one of: {string.Join(", ", catalog.Providers)}.");
            return [];
        }

        List<OffloadMachine> singles = [.. catalog.Instances.Where(i => i.Provider == provider && i.GpuCount == 1).Select(OffloadMachine.FromInstance)];
        if (singles.Count == 0)
        {
            errors.Add("--provider", $"{provider} has no single-GPU instance in the catalog; name instances with --instances.");
        }

        return singles;
    }

    private static (BytesPerSecond? ToDevice, BytesPerSecond? ToHost) ReadHostLink(string? text, InputErrors errors)
    {
        if (text is null)
        {
            return (null, null);
        }

        string[] parts = text.Split(':');
        double?[] rates = [.. parts.Select(p => ValueParsing.Number(p.Trim(), "--host-link-gbps", errors, 0, exclusiveMinimum: true))];
        if (parts.Length > 2)
        {
            errors.Add("--host-link-gbps", $"'{text}' has {parts.Length} parts; give H2D or H2D:D2H in GB/s, e.g. 12.9:4.8.");
            return (null, null);
        }

        BytesPerSecond? toDevice = rates[0] is double h ? BytesPerSecond.FromGigabytesPerSecond(h) : null;
        BytesPerSecond? toHost = rates.Length == 2 ? (rates[1] is double d ? BytesPerSecond.FromGigabytesPerSecond(d) : null) : toDevice;
        return (toDevice, toHost);
    }

    private static (Precision Weights, Precision KvCache) ReadPrecisions(ParseResult parse, InputErrors errors)
    {
        string text = parse.GetValue(WeightPrecision)!.Trim();
        Precision weights = Precision.Fp16;
        string name = text switch
        {
            "2" => "fp16",
            "1" => "int8",
            _ => text,
        };
        if (!PrecisionFacts.TryParse(name, out weights))
        {
            errors.Add("--precision", $"'{text}' is not a precision. Use one of: {string.Join(", ", PrecisionFacts.All.Select(p => p.Name()))} (or 2 = fp16, 1 = int8 bytes per parameter).");
        }

        string? kvText = parse.GetValue(KvPrecision);
        Precision kv = weights == Precision.Fp16 ? Precision.Fp16 : Precision.Bf16;
        if (kvText is not null && (!PrecisionFacts.TryParse(kvText, out kv) || !kv.IsKvCachePrecision()))
        {
            errors.Add("--kv-precision", $"'{kvText}' is not a KV-cache precision. Use one of: fp16, bf16, fp8, int8.");
        }

        return (weights, kv);
    }

    private static T? Choice<T>(ParseResult parse, Option<string> option, IReadOnlyList<(string Word, T Value)> choices, InputErrors errors)
        where T : struct
    {
        string text = parse.GetValue(option)!;
        foreach (var (word, value) in choices)
        {
            if (string.Equals(word, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        errors.Add(option.Name, $"'{text}' is not one of: {string.Join(", ", choices.Select(c => c.Word))}.");
        return null;
    }

    private static int? Required(ParseResult parse, Option<int?> option, string what, InputErrors errors)
    {
        int? value = parse.GetValue(option);
        if (value is null)
        {
            errors.Add(option.Name, $"is required: {what}.");
            return null;
        }

        return CommonOptions.AtLeastOneOrNull(parse, option, errors);
    }

}
