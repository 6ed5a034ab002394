using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.IO.Seed;

/// <summary>The seed's <c>config.csv</c>: the model's dimensions and the solver's settings, as typed values.</summary>
/// <remarks>Keys and defaults follow <c>shared/specs/seed-placement-solver.md</c> §2.1 (HEAD, with the Era A keys
/// <c>sequence_length</c>, <c>min_batch_size</c> and <c>max_batch_size</c> optional). Read it with
/// <see cref="SeedConfigReader"/>, which guarantees the ranges documented here.</remarks>
public sealed record SeedConfig
{
    /// <summary>Gets the path the config was read from.</summary>
    public required string Path { get; init; }

    /// <summary>Gets <c>model_name</c>.</summary>
    public required string ModelName { get; init; }

    /// <summary>Gets <c>num_decoder_layers</c> (L), at least 1.</summary>
    public required int Layers { get; init; }

    /// <summary>Gets <c>d_model</c>, the hidden size d, at least 1.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Gets <c>d_hidden</c>, the MLP intermediate size F, at least 1.</summary>
    public required int FfnSize { get; init; }

    /// <summary>Gets <c>vocab_size</c> (V), at least 1.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Gets <c>num_attention_heads</c> (h), at least 1.</summary>
    public required int AttentionHeads { get; init; }

    /// <summary>Gets <c>num_kv_heads</c>, or <see cref="AttentionHeads"/> when the key is absent; it divides h.</summary>
    public required int KvHeads { get; init; }

    /// <summary>Gets <c>head_dim</c>, or d/h when the key is absent.</summary>
    public required int HeadDim { get; init; }

    /// <summary>Gets <c>max_position_embeddings</c>, in tokens (default 131072).</summary>
    public required int MaxPositionEmbeddings { get; init; }

    /// <summary>Gets <c>layer_weight_memory_gb</c>, the seed's hand-set weight memory of one whole layer, in GB as written
    /// (the seed mixes GB and GiB). Informational: this project computes weights from the dimensions.</summary>
    public required double LayerWeightMemoryGigabytes { get; init; }

    /// <summary>Gets <c>bytes_per_element</c>, the seed's global bytes per weight and activation element. Informational.</summary>
    public required double BytesPerElement { get; init; }

    /// <summary>Gets <c>time_limit_seconds</c>, the seed's MILP time limit.</summary>
    public required Seconds TimeLimit { get; init; }

    /// <summary>Gets <c>optimality_gap</c>, the relative MIP gap, in [0, 1].</summary>
    public required double OptimalityGap { get; init; }

    /// <summary>Gets <c>max_pipeline_stages</c>, at least 1.</summary>
    public required int MaxPipelineStages { get; init; }

    /// <summary>Gets <c>min_memory_utilization</c> (u), the fraction of a GPU's memory a stage must fill, in [0, 1].</summary>
    public required double MinMemoryUtilization { get; init; }

    /// <summary>Gets <c>min_layers_per_stage</c>, at least 1.</summary>
    public required int MinLayersPerStage { get; init; }

    /// <summary>Gets <c>network_bandwidth_percentile_threshold</c>, a fraction in [0, 1].</summary>
    public required double NetworkBandwidthPercentileThreshold { get; init; }

    /// <summary>Gets <c>enable_segment_quantization</c>.</summary>
    public required bool EnableSegmentQuantization { get; init; }

    /// <summary>Gets <c>max_hourly_cost</c> as written; 999 or more means no limit (see <see cref="HourlyBudget"/>).</summary>
    public required DollarsPerHour MaxHourlyCost { get; init; }

    /// <summary>Gets <c>max_cost_per_million_token</c>, the competitor target.</summary>
    public required DollarsPerMillionTokens MaxCostPerMillionTokens { get; init; }

    /// <summary>Gets <c>max_total_cost</c> as written; 999999 or more means no limit (see <see cref="TotalCostBudget"/>).</summary>
    public required Dollars MaxTotalCost { get; init; }

    /// <summary>Gets <c>throughput_normalization</c>, the seed's objective scale for throughput, in tokens per second.</summary>
    public required double ThroughputNormalization { get; init; }

    /// <summary>Gets <c>cost_normalization</c>, the seed's objective scale for cost, in USD per hour.</summary>
    public required double CostNormalization { get; init; }

    /// <summary>Gets <c>total_tokens_to_process</c>.</summary>
    public required Tokens TotalTokensToProcess { get; init; }

    /// <summary>Gets <c>max_total_runtime_hours</c> as written; 999999 hours or more means no limit (see
    /// <see cref="RuntimeLimit"/>).</summary>
    public required Seconds MaxTotalRuntime { get; init; }

    /// <summary>Gets <c>optimization_priority</c> (<c>throughput_first</c>, <c>balanced</c>, <c>cost_first</c>), or null
    /// when only the legacy <c>cost_throughput_weight</c> is given.</summary>
    public string? OptimizationPriority { get; init; }

    /// <summary>Gets the cost weight w in [0, 1]: throughput_first 0.1, balanced 0.5, cost_first 0.9, else the legacy
    /// <c>cost_throughput_weight</c>. The priority wins when both keys are present.</summary>
    public required double CostWeight { get; init; }

    /// <summary>Gets <c>workload_phase</c> (<c>prefill</c>, <c>decode</c>, <c>aggregated</c>), or null (the CLI gives it).</summary>
    public string? WorkloadPhase { get; init; }

    /// <summary>Gets <c>sequence_length</c> (S, input tokens), or null (an Era A key; at HEAD the CLI gives it).</summary>
    public int? SequenceLength { get; init; }

    /// <summary>Gets <c>output_length</c> (O, output tokens; default 0).</summary>
    public int OutputLength { get; init; }

    /// <summary>Gets <c>min_batch_size</c>, or null (an Era A key; at HEAD the CLI gives it).</summary>
    public int? MinBatchSize { get; init; }

    /// <summary>Gets <c>max_batch_size</c>, or null (an Era A key; at HEAD the CLI gives it); at least
    /// <see cref="MinBatchSize"/>.</summary>
    public int? MaxBatchSize { get; init; }

    /// <summary>Gets <c>real_world_efficiency</c>, in (0, 1] (default 0.55, HEAD).</summary>
    public double RealWorldEfficiency { get; init; } = 0.55;

    /// <summary>Gets <c>micro_batch_size</c> (default 8; unused by the seed at HEAD).</summary>
    public int MicroBatchSize { get; init; } = 8;

    /// <summary>Gets <c>max_num_batched_tokens</c> (default 16384; 0 means the max model length).</summary>
    public int MaxNumBatchedTokens { get; init; } = 16384;

    /// <summary>Gets <c>gpu_memory_utilization</c>, in (0, 1] (default 0.90).</summary>
    public double GpuMemoryUtilization { get; init; } = 0.90;

    /// <summary>Gets <c>cross_instance_penalty</c>, in [0, 1] (default 0.01).</summary>
    public double CrossInstancePenalty { get; init; } = 0.01;

    /// <summary>Gets <c>kv_block_size</c>, in tokens (default 16).</summary>
    public int KvBlockSize { get; init; } = 16;

    /// <summary>Gets <c>enforce_eager</c> (default false).</summary>
    public bool EnforceEager { get; init; }

    /// <summary>Gets <c>enforce_eager_penalty</c>, the throughput factor without CUDA graphs, in [0, 1] (default 0.80).</summary>
    public double EnforceEagerPenalty { get; init; } = 0.80;

    /// <summary>Gets <c>cross_node_pp_latency_us</c>, the added latency of a pipeline hop between instances (default 0).</summary>
    public Seconds CrossNodePipelineLatency { get; init; }

    /// <summary>Gets <c>interference_factor</c> of the aggregated phase, in [0, 1] (default 0.80; Era B only).</summary>
    public double InterferenceFactor { get; init; } = 0.80;

    /// <summary>Gets the hourly budget, or null when <see cref="MaxHourlyCost"/> is 999 USD/h or more (the seed's "no limit").</summary>
    public DollarsPerHour? HourlyBudget => MaxHourlyCost.Value < 999 ? MaxHourlyCost : null;

    /// <summary>Gets the total-cost budget, or null when <see cref="MaxTotalCost"/> is 999999 USD or more.</summary>
    public Dollars? TotalCostBudget => MaxTotalCost.Value < 999999 ? MaxTotalCost : null;

    /// <summary>Gets the runtime limit (the SLO), or null when <see cref="MaxTotalRuntime"/> is 999999 hours or more.</summary>
    public Seconds? RuntimeLimit => MaxTotalRuntime.Hours < 999999 ? MaxTotalRuntime : null;

    /// <summary>Builds the model architecture this config describes: a dense model with a gated MLP and untied embeddings
    /// (the seed's assumptions).</summary>
    /// <returns>The model, with <see cref="ModelName"/> as its id and <see cref="Path"/> as its source.</returns>
    public ModelArchitecture ToModel() => new()
    {
        Id = ModelName,
        Name = ModelName + " (seed config.csv model_name)",
        Layers = Layers,
        HiddenSize = HiddenSize,
        FfnSize = FfnSize,
        Mlp = MlpKind.Gated,
        AttentionHeads = AttentionHeads,
        KvHeads = KvHeads,
        HeadDim = HeadDim,
        VocabSize = VocabSize,
        TiedEmbeddings = false,
        Experts = 1,
        ActiveExperts = 1,
        OtherParameters = 0,
        MaxContext = MaxPositionEmbeddings,
        Source = Path,
        Captured = SeedFiles.HeadDate,
    };
}
