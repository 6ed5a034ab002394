using System.CommandLine;
using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.IO.Placement;
using LlmPlan.IO.Seed;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary>The problem options of <c>place</c> and <c>sweep batch</c>: a spec or a seed config dir, the seed's flags, and
/// our objective and limits; and loading the problem with them applied.</summary>
internal sealed class PlaceOptions
{
    private readonly Argument<string?> _spec = new("SPEC")
    {
        Description = "A placement spec (YAML or JSON: model, workload, pool or pool_file, network, engine, objective, limits; docs/formats.md). Or give --config-dir.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> _configDir = new("--config-dir") { Description = "A placement seed config dir: config.csv (model, limits, priority) and gpu_pool.csv here or in its parent; network_bandwidth.csv is used when present.", HelpName = "DIR" };
    private readonly Option<int?> _input = new("--sequence-length", "--input-tokens") { Description = "Prompt tokens per request S (the seed's --sequence-length).", HelpName = "S" };
    private readonly Option<int?> _output = new("--output-length", "--output-tokens") { Description = "Generated tokens per request O.", HelpName = "O" };
    private readonly Option<string?> _phase = new("--workload-phase") { Description = "aggregated (default): requests are prefilled and decoded on the same GPUs, continuous batching; prefill: prompt processing only (one output token). decode is not modelled on its own.", HelpName = "PHASE" };
    private readonly Option<int?> _minBatch = new("--min-batch-size") { Description = "With --max-batch-size: try the engine sequence caps (vLLM max_num_seqs) min, 2·min, … up to max, and keep the best (the seed's batch options; default: config.csv's min/max_batch_size, else the engine's cap).", HelpName = "B" };
    private readonly Option<int?> _maxBatch = new("--max-batch-size") { Description = "The largest batch size tried (see --min-batch-size).", HelpName = "B" };
    private readonly Option<string?> _provider = new("--cloud-provider", "--provider") { Description = "Prices for a per-GPU-type pool (gpu_type,count,memory_gb): aws (default), gcp, azure, lambda, coreweave or nebius.", HelpName = "P" };
    private readonly Option<string?> _method = new("--method") { Description = "The seed's method: enumeration = least $ per million tokens (its budget enumeration, done exactly); weighted = tokens/s ÷ T_norm − w/(1−w) × $/h ÷ C_norm with w from config.csv or --cost-weight.", HelpName = "M" };
    private readonly Option<double[]> _network = new("--generate-network") { Description = "One bandwidth inside a machine and one between machines, in GB/s (the seed's INTRA INTER); the input files are not touched.", HelpName = "INTRA INTER", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
    private readonly Option<double?> _costWeight = new("--cost-weight") { Description = "The weighted objective's w in [0, 1): 0.9 = cost_first, 0.5 = balanced, 0.1 = throughput_first.", HelpName = "W" };
    private readonly Option<string?> _objective = new("--objective") { Description = "cost_per_million_tokens (default), tokens_per_s, cost_per_hour (the cheapest plan meeting a target rate) or weighted.", HelpName = "O" };
    private readonly Option<string?> _precision = new("--precision") { Description = "Weight precision: fp16, bf16 (default), fp8, int8, int4 or fp4.", HelpName = "P" };
    private readonly Option<string?> _kvPrecision = new("--kv-precision") { Description = "KV-cache precision: fp16, bf16, fp8 or int8 (default: fp16 for fp16 weights, else bf16).", HelpName = "P" };
    private readonly Option<int?> _maxSequences = new("--max-sequences") { Description = "Engine cap on running sequences (vLLM max_num_seqs), default 256.", HelpName = "N" };
    private readonly Option<int?> _maxStages = new("--max-stages") { Description = "The most pipeline stages (default 8, or config.csv's max_pipeline_stages).", HelpName = "P" };
    private readonly Option<int?> _minLayers = new("--min-layers-per-stage") { Description = "The fewest layers a stage holds (default 1, or config.csv's).", HelpName = "L" };
    private readonly Option<double?> _ttft = new("--ttft-ms") { Description = "The longest time to first token, in ms.", HelpName = "MS" };
    private readonly Option<double?> _tpot = new("--tpot-ms") { Description = "The longest time per output token, in ms.", HelpName = "MS" };
    private readonly Option<double?> _targetTokens = new("--target-tokens-per-s") { Description = "Reach this many tokens/s (prompt plus generated) with copies of the pipeline on their own machines.", HelpName = "T" };
    private readonly Option<double?> _targetRequests = new("--target-requests-per-s") { Description = "Reach this many requests/s with copies of the pipeline.", HelpName = "R" };
    private readonly Option<int?> _maxReplicas = new("--max-replicas") { Description = "The most copies of the pipeline for a target rate.", HelpName = "N" };
    private readonly Option<string?> _catalog = CommonOptions.Catalog();

    public void AddTo(Command command)
    {
        command.Add(_spec);
        foreach (Option option in new Option[]
        {
            _configDir, _input, _output, _phase, _minBatch, _maxBatch, _provider, _method, _network, _costWeight, _objective, _precision, _kvPrecision,
            _maxSequences, _maxStages, _minLayers, _ttft, _tpot, _targetTokens, _targetRequests, _maxReplicas, _catalog,
        })
        {
            command.Add(option);
        }
    }

    /// <summary>The files the problem is read from, which an output must never name.</summary>
    public IEnumerable<string?> Inputs(ParseResult parse) => [parse.GetValue(_spec), .. CommonOptions.SeedDirectoryFiles(parse.GetValue(_configDir))];

    /// <summary>Reads the problem and the batch sizes to try (empty: the engine's cap only).</summary>
    public (PlacementProblem Problem, IReadOnlyList<int> BatchSizes) Load(ParseResult parse)
    {
        var errors = new InputErrors();
        HardwareCatalog catalog = CommonOptions.LoadCatalog(parse.GetValue(_catalog));
        string? specPath = parse.GetValue(_spec);
        string? directory = parse.GetValue(_configDir);
        if ((specPath is null) == (directory is null))
        {
            errors.Add("SPEC/--config-dir", "give exactly one: a placement spec file, or --config-dir DIR (a placement seed config dir).");
            errors.ThrowIfAny();
        }

        string provider = parse.GetValue(_provider)?.ToLowerInvariant() ?? "aws";
        if (!catalog.Providers.Contains(provider, StringComparer.Ordinal))
        {
            errors.Add("--cloud-provider", $"unknown provider '{provider}'. Use one of: {string.Join(", ", catalog.Providers)}.");
            errors.ThrowIfAny();
        }

        PlacementProblem? problem = null;
        IReadOnlyList<int> batches = [];
        if (specPath is not null)
        {
            foreach (Option option in new Option[] { _method, _provider }.Where(o => parse.GetResult(o) is not null))
            {
                errors.Add(option.Name, "goes with --config-dir; a spec names its objective and provider itself. Drop the flag or use 'objective:'/'provider:' in the spec.");
            }

            errors.ThrowIfAny();
            PlacementSpec spec = PlacementSpecFile.Read(specPath, catalog);
            problem = spec.Problem;
            batches = spec.BatchSizes;
        }
        else
        {
            (problem, batches) = FromDirectory(directory!, catalog, provider, errors);
        }

        problem = Override(parse, problem, errors);
        int? min = parse.GetValue(_minBatch);
        int? max = parse.GetValue(_maxBatch);
        if ((min is null) != (max is null))
        {
            errors.Add(min is null ? "--min-batch-size" : "--max-batch-size", "give both --min-batch-size and --max-batch-size, or neither.");
        }
        else if (min is not null)
        {
            if (min < 1 || max < min)
            {
                errors.Add("--min-batch-size", Invariant.Text($"the range {min}..{max} is empty; give 1 ≤ min ≤ max."));
            }
            else
            {
                batches = PlacementBatchSweep.Doubling(min.Value, max!.Value);
            }
        }

        errors.ThrowIfAny();
        return (batches.Count > 0 ? PlacementBatchSweep.AtBatch(problem!, batches[0]) : problem!, batches);
    }

    /// <summary>The problem of a seed config dir, and its batch sizes (config.csv's min/max_batch_size by doubling, as
    /// the seed tried them; none when absent).</summary>
    private static (PlacementProblem? Problem, IReadOnlyList<int> BatchSizes) FromDirectory(string directory, HardwareCatalog catalog, string provider, InputErrors errors)
    {
        SeedConfigDirectory? seed = SeedConfigDirectory.Load(directory, catalog, provider, errors, readNetwork: true);
        if (seed is null)
        {
            errors.ThrowIfAny();
            return (null, []);
        }

        SeedConfig config = seed.Config;
        ClusterNetwork network = seed.Network is null ? ClusterNetwork.FromCatalog : ClusterNetwork.FromMatrix(seed.Network, seed.Pool);
        var limits = new PlacementConstraints
        {
            MaxStages = config.MaxPipelineStages,
            MinLayersPerStage = config.MinLayersPerStage,
            MinMemoryUtilization = config.MinMemoryUtilization,
            MaxCostPerHour = config.HourlyBudget,
            MaxCostPerMillionTokens = config.MaxCostPerMillionTokens,
            TokenVolume = config.TotalTokensToProcess,
            MaxTotalCost = config.MaxTotalCost.Value < 999999 ? config.MaxTotalCost : null,
            MaxRuntime = config.MaxTotalRuntime.Hours < 999999 ? config.MaxTotalRuntime : null,
        };
        IReadOnlyList<int> batches = config is { MinBatchSize: int min, MaxBatchSize: int max } && min >= 1 && max >= min ? PlacementBatchSweep.Doubling(min, max) : [];
        return (new PlacementProblem
        {
            Model = seed.Model, Weights = Precision.Bf16, KvCache = Precision.Bf16, Workload = new Workload(config.SequenceLength ?? 0, config.OutputLength, null),
            Engine = EngineSettings.Default with { GpuMemoryUtilization = config.GpuMemoryUtilization }, Pool = seed.Pool, Network = network,
            CostWeight = config.CostWeight, ThroughputNormalization = config.ThroughputNormalization, CostNormalization = config.CostNormalization,
            Constraints = limits,
        }, batches);
    }

    private PlacementProblem? Override(ParseResult parse, PlacementProblem? problem, InputErrors errors)
    {
        if (problem is null)
        {
            return null;
        }

        string? method = parse.GetValue(_method);
        if (method is not null && method != "enumeration" && method != "weighted")
        {
            errors.Add("--method", $"'{method}' is not a method. Use enumeration (least $ per million tokens) or weighted.");
        }

        int input = parse.GetValue(_input) ?? problem.Workload.InputTokens;
        int output = parse.GetValue(_output) ?? problem.Workload.OutputTokens;
        string phase = parse.GetValue(_phase) ?? "aggregated";
        switch (phase)
        {
            case "aggregated":
                break;
            case "prefill":
                output = 1;
                break;
            case "decode":
                errors.Add("--workload-phase", "decode is not modelled on its own: the steady state includes each prompt's prefill on the same GPUs. Use aggregated.");
                break;
            default:
                errors.Add("--workload-phase", $"'{phase}' is not a phase. Use aggregated or prefill.");
                break;
        }

        if (input < 1)
        {
            errors.Add("--sequence-length", "is required: the prompt tokens per request, at least 1 (config.csv has no sequence_length).");
        }

        if (output < 1)
        {
            errors.Add("--output-length", "is required: the generated tokens per request, at least 1 (config.csv has no output_length above 0).");
        }

        PlacementObjective objective = method == "weighted" ? PlacementObjective.Weighted : problem.Objective;
        if (parse.GetValue(_objective) is string name)
        {
            if (PlacementSpecFile.Objectives.TryGetValue(name, out PlacementObjective parsed))
            {
                objective = parsed;
            }
            else
            {
                errors.Add("--objective", $"'{name}' is not an objective. Use one of: {string.Join(", ", PlacementSpecFile.Objectives.Keys)}.");
            }
        }

        double weight = parse.GetValue(_costWeight) ?? problem.CostWeight;
        if (weight is < 0 or >= 1)
        {
            errors.Add("--cost-weight", Invariant.Text($"{weight} is out of range; w is in [0, 1)."));
        }

        string? weightsText = parse.GetValue(_precision);
        var (weights, kv) = CommonOptions.Precisions(weightsText, parse.GetValue(_kvPrecision), problem.Weights, weightsText is null ? problem.KvCache : null, errors);

        ClusterNetwork network = problem.Network;
        if (parse.GetValue(_network) is { Length: 2 } rates)
        {
            if (rates.Any(r => !(r > 0) || !double.IsFinite(r)))
            {
                errors.Add("--generate-network", "both bandwidths must be positive numbers of GB/s, e.g. --generate-network 400 200.");
            }
            else
            {
                network = ClusterNetwork.Generated(BytesPerSecond.FromGigabytesPerSecond(rates[0]), BytesPerSecond.FromGigabytesPerSecond(rates[1]));
            }
        }

        PlacementConstraints limits = problem.Constraints;
        double? PositiveNumber(Option<double?> option)
        {
            double? value = parse.GetValue(option);
            if (value is double v && !(v > 0 && double.IsFinite(v)))
            {
                errors.Add(option.Name, Invariant.Text($"{v} is out of range; it must be above 0."));
            }

            return value;
        }

        limits = limits with
        {
            MaxStages = CommonOptions.AtLeastOneOrNull(parse, _maxStages, errors) ?? limits.MaxStages,
            MinLayersPerStage = CommonOptions.AtLeastOneOrNull(parse, _minLayers, errors) ?? limits.MinLayersPerStage,
            MaxTimeToFirstToken = PositiveNumber(_ttft) is double ttft ? Seconds.FromMilliseconds(ttft) : limits.MaxTimeToFirstToken,
            MaxTimePerOutputToken = PositiveNumber(_tpot) is double tpot ? Seconds.FromMilliseconds(tpot) : limits.MaxTimePerOutputToken,
            TargetTokensPerSecond = PositiveNumber(_targetTokens) is double tps ? TokensPerSecond.FromTokensPerSecond(tps) : limits.TargetTokensPerSecond,
            TargetRequestsPerSecond = PositiveNumber(_targetRequests) ?? limits.TargetRequestsPerSecond,
            MaxReplicas = CommonOptions.AtLeastOneOrNull(parse, _maxReplicas, errors) ?? limits.MaxReplicas,
        };
        if (limits.TargetTokensPerSecond is not null && limits.TargetRequestsPerSecond is not null)
        {
            errors.Add("--target-tokens-per-s", "give one target: tokens/s or requests/s, not both.");
        }

        if (limits.MaxReplicas is not null && limits.TargetTokensPerSecond is null && limits.TargetRequestsPerSecond is null)
        {
            errors.Add("--max-replicas", "replicas only serve a target rate: add --target-tokens-per-s or --target-requests-per-s.");
        }

        EngineSettings engine = CommonOptions.AtLeastOneOrNull(parse, _maxSequences, errors) is int cap ? problem.Engine with { MaxSequences = cap } : problem.Engine;
        return problem with
        {
            Workload = problem.Workload with { InputTokens = input, OutputTokens = output }, Objective = objective, CostWeight = weight,
            Weights = weights, KvCache = kv, Network = network, Constraints = limits, Engine = engine,
        };
    }
}
