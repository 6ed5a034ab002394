using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.IO.Seed;

/// <summary>Reads the seed's <c>config.csv</c> (header <c>parameter,value</c>) into a <see cref="SeedConfig"/>.</summary>
/// <remarks>Every problem is reported at once, each with the file, line and key: missing required keys, values that are
/// not numbers or are out of range, an unknown <c>optimization_priority</c>, duplicate keys. Keys the seed does not know
/// are ignored, as the seed ignores them. Required keys are those §2.1 of the seed spec lists as required at HEAD, with
/// either <c>optimization_priority</c> or <c>cost_throughput_weight</c>; the Era A keys (<c>sequence_length</c>,
/// <c>min_batch_size</c>, <c>max_batch_size</c>) are optional.</remarks>
public static class SeedConfigReader
{
    /// <summary>The cost weights of the <c>optimization_priority</c> values (seed spec §2.1).</summary>
    public static readonly IReadOnlyDictionary<string, double> PriorityWeights = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["throughput_first"] = 0.1,
        ["balanced"] = 0.5,
        ["cost_first"] = 0.9,
    };

    /// <summary>The <c>workload_phase</c> values the seed accepts.</summary>
    public static readonly IReadOnlyList<string> WorkloadPhases = ["prefill", "decode", "aggregated"];

    /// <summary>Reads a config file.</summary>
    /// <param name="path">The path of <c>config.csv</c>.</param>
    /// <param name="errors">Collects every error found.</param>
    /// <returns>The config, or null when the file is missing or has any error.</returns>
    public static SeedConfig? Read(string path, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(errors);
        CsvTable? table = CsvTable.Read(path, errors);
        if (table is null || table.Header.Count == 0 || !table.RequireColumns(["parameter", "value"], errors))
        {
            return null;
        }

        int before = errors.All.Count;
        var values = new SeedConfigValues(table, errors);
        var config = new SeedConfig
        {
            Path = path,
            ModelName = values.Text("model_name", "<model name>"),
            Layers = values.Integer("num_decoder_layers", "<number of decoder layers>", 1),
            HiddenSize = values.Integer("d_model", "<hidden size>", 1),
            FfnSize = values.Integer("d_hidden", "<MLP intermediate size>", 1),
            VocabSize = values.Integer("vocab_size", "<vocabulary size>", 1),
            AttentionHeads = values.Integer("num_attention_heads", "<number of attention heads>", 1),
            MaxPositionEmbeddings = values.Integer("max_position_embeddings", 131072, 1),
            LayerWeightMemoryGigabytes = values.Number("layer_weight_memory_gb", "<GB of weights per layer>", 0, exclusiveMinimum: true),
            BytesPerElement = values.Number("bytes_per_element", "<bytes per element, e.g. 2>", 0, exclusiveMinimum: true),
            TimeLimit = Seconds.FromSeconds(values.Number("time_limit_seconds", "<seconds, e.g. 300>", 0, exclusiveMinimum: true)),
            OptimalityGap = values.Fraction("optimality_gap", "<fraction, e.g. 0.01>"),
            MaxPipelineStages = values.Integer("max_pipeline_stages", "<stages, e.g. 8>", 1),
            MinMemoryUtilization = values.Fraction("min_memory_utilization", "<fraction, e.g. 0.5>"),
            MinLayersPerStage = values.Integer("min_layers_per_stage", "<layers, e.g. 5>", 1),
            NetworkBandwidthPercentileThreshold = values.Fraction("network_bandwidth_percentile_threshold", "<fraction, e.g. 0.1>"),
            EnableSegmentQuantization = values.Boolean("enable_segment_quantization", "<true or false>"),
            MaxHourlyCost = DollarsPerHour.FromDollarsPerHour(values.Number("max_hourly_cost", "<USD per hour; 999 = no limit>", 0)),
            MaxCostPerMillionTokens = DollarsPerMillionTokens.FromDollarsPerMillionTokens(
                values.Number("max_cost_per_million_token", "<USD per million tokens, e.g. 100>", 0)),
            MaxTotalCost = Dollars.FromDollars(values.Number("max_total_cost", "<USD; 999999 = no limit>", 0)),
            ThroughputNormalization = values.Number("throughput_normalization", "<tokens per second, e.g. 10000>", 0, exclusiveMinimum: true),
            CostNormalization = values.Number("cost_normalization", "<USD per hour, e.g. 1>", 0, exclusiveMinimum: true),
            TotalTokensToProcess = Tokens.FromCount(values.Number("total_tokens_to_process", "<tokens, e.g. 1000000>", 0, exclusiveMinimum: true)),
            MaxTotalRuntime = Seconds.FromHours(values.Number("max_total_runtime_hours", "<hours; 999999 = no limit>", 0, exclusiveMinimum: true)),
            OptimizationPriority = values.OptionalText("optimization_priority"),
            CostWeight = 0,
            KvHeads = 0,
            HeadDim = 0,
            WorkloadPhase = values.OptionalText("workload_phase"),
            SequenceLength = values.OptionalInteger("sequence_length", 1),
            OutputLength = values.Integer("output_length", 0, 0),
            MinBatchSize = values.OptionalInteger("min_batch_size", 1),
            MaxBatchSize = values.OptionalInteger("max_batch_size", 1),
            RealWorldEfficiency = values.Number("real_world_efficiency", 0.55, 0, exclusiveMinimum: true, maximum: 1),
            MicroBatchSize = values.Integer("micro_batch_size", 8, 1),
            MaxNumBatchedTokens = values.Integer("max_num_batched_tokens", 16384, 0),
            GpuMemoryUtilization = values.Number("gpu_memory_utilization", 0.90, 0, exclusiveMinimum: true, maximum: 1),
            CrossInstancePenalty = values.Fraction("cross_instance_penalty", 0.01),
            KvBlockSize = values.Integer("kv_block_size", 16, 1),
            EnforceEager = values.Boolean("enforce_eager", false),
            EnforceEagerPenalty = values.Fraction("enforce_eager_penalty", 0.80),
            CrossNodePipelineLatency = Seconds.FromMicroseconds(values.Number("cross_node_pp_latency_us", 0.0, 0)),
            InterferenceFactor = values.Fraction("interference_factor", 0.80),
        };

        config = config with
        {
            CostWeight = CostWeight(values),
            KvHeads = KvHeads(values, config),
            HeadDim = HeadDim(values, config),
        };
        CheckPhaseAndBatches(values, config);
        return errors.All.Count > before ? null : config;
    }

    private static double CostWeight(SeedConfigValues values)
    {
        string? priority = values.OptionalText("optimization_priority");
        double? legacy = values.OptionalNumber("cost_throughput_weight", 0, maximum: 1);
        if (priority is not null)
        {
            if (PriorityWeights.TryGetValue(priority, out double weight))
            {
                return weight;
            }

            values.Error("optimization_priority", $"'{priority}' is not a priority. Write throughput_first, balanced or cost_first.");
            return 0;
        }

        if (legacy is null && !values.Has("cost_throughput_weight"))
        {
            values.Missing("optimization_priority", "<throughput_first|balanced|cost_first>", " or the legacy 'cost_throughput_weight,<weight in [0, 1]>'");
        }

        return legacy ?? 0;
    }

    private static int KvHeads(SeedConfigValues values, SeedConfig config)
    {
        int? kvHeads = values.OptionalInteger("num_kv_heads", 1);
        if (kvHeads is null)
        {
            return config.AttentionHeads;
        }

        if (kvHeads > 0 && config.AttentionHeads > 0 && config.AttentionHeads % kvHeads != 0)
        {
            values.Error("num_kv_heads", Invariant.Text(
                $"{kvHeads} does not divide num_attention_heads {config.AttentionHeads}; grouped-query attention needs a whole number of query heads per KV head."));
        }

        return kvHeads.Value;
    }

    private static int HeadDim(SeedConfigValues values, SeedConfig config)
    {
        int? headDim = values.OptionalInteger("head_dim", 1);
        if (headDim is not null)
        {
            return headDim.Value;
        }

        if (config.AttentionHeads > 0 && config.HiddenSize % config.AttentionHeads != 0)
        {
            values.Error("d_model", Invariant.Text(
                $"{config.HiddenSize} is not a multiple of num_attention_heads {config.AttentionHeads}, so the head dimension d_model/heads is not a whole number. Add a row 'head_dim,<head dimension>'."));
            return 0;
        }

        return config.AttentionHeads > 0 ? config.HiddenSize / config.AttentionHeads : 0;
    }

    private static void CheckPhaseAndBatches(SeedConfigValues values, SeedConfig config)
    {
        if (config.WorkloadPhase is not null && !WorkloadPhases.Contains(config.WorkloadPhase, StringComparer.Ordinal))
        {
            values.Error("workload_phase", $"'{config.WorkloadPhase}' is not a workload phase. Write prefill, decode or aggregated.");
        }

        if (config.MinBatchSize > config.MaxBatchSize)
        {
            values.Error("max_batch_size", Invariant.Text(
                $"{config.MaxBatchSize} is less than min_batch_size {config.MinBatchSize}. Make max_batch_size at least min_batch_size."));
        }
    }
}
