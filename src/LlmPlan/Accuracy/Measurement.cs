using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Accuracy;

/// <summary>What a measurement row measured (the <c>metric</c> column of a measurement file).</summary>
public enum MeasuredMetric
{
    /// <summary>Generated tokens per second of the whole TP×PP group, times the replicas.</summary>
    OutputTokensPerSecond,

    /// <summary>Prompt plus generated tokens per second of the whole TP×PP group, times the replicas.</summary>
    TotalTokensPerSecond,

    /// <summary>Mean time to first token, in milliseconds (queueing included).</summary>
    TimeToFirstToken,

    /// <summary>Mean time per output token after the first, in milliseconds.</summary>
    TimePerOutputToken,

    /// <summary>Completed requests per second of the whole group, times the replicas.</summary>
    RequestsPerSecond,

    /// <summary>One decoder layer, one decode step at batch = concurrency, in milliseconds.</summary>
    LayerDecode,

    /// <summary>One decoder layer, the prefill of one prompt of input_tokens tokens, in milliseconds.</summary>
    LayerPrefill,
}

/// <summary>The file names of the metrics and what kind of quantity each is.</summary>
public static class MeasuredMetricFacts
{
    /// <summary>Gets every metric with its file name, in declaration order.</summary>
    public static IReadOnlyList<(string Name, MeasuredMetric Metric)> All { get; } =
    [
        ("output_tokens_per_s", MeasuredMetric.OutputTokensPerSecond),
        ("total_tokens_per_s", MeasuredMetric.TotalTokensPerSecond),
        ("ttft_ms", MeasuredMetric.TimeToFirstToken),
        ("tpot_ms", MeasuredMetric.TimePerOutputToken),
        ("requests_per_s", MeasuredMetric.RequestsPerSecond),
        ("layer_decode_ms", MeasuredMetric.LayerDecode),
        ("layer_prefill_ms", MeasuredMetric.LayerPrefill),
    ];

    /// <summary>The name used in files and reports.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>For example <c>ttft_ms</c>.</returns>
    public static string Name(this MeasuredMetric metric) => All.First(m => m.Metric == metric).Name;

    /// <summary>Gets a value indicating whether the metric is a rate of the whole deployment (scaled by the replicas).</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>True for tokens/s and requests/s.</returns>
    public static bool IsRate(this MeasuredMetric metric) =>
        metric is MeasuredMetric.OutputTokensPerSecond or MeasuredMetric.TotalTokensPerSecond or MeasuredMetric.RequestsPerSecond;

    /// <summary>Gets a value indicating whether the metric times one decoder layer rather than the served workload.</summary>
    /// <param name="metric">The metric.</param>
    /// <returns>True for the per-layer metrics.</returns>
    public static bool IsLayer(this MeasuredMetric metric) => metric is MeasuredMetric.LayerDecode or MeasuredMetric.LayerPrefill;
}

/// <summary>How the load of a measurement was offered (the <c>concurrency</c> column).</summary>
public enum LoadKind
{
    /// <summary>A closed loop: a fixed number of sequences in flight.</summary>
    Closed,

    /// <summary>Offline maximum throughput: the engine runs as many sequences as KV memory and its cap allow.</summary>
    Max,

    /// <summary>An open loop: requests arrive at an offered rate (or all at once).</summary>
    OpenLoop,
}

/// <summary>The load of a measurement: <c>N</c>, <c>max</c>, <c>qps:R</c> or <c>qps:inf</c>.</summary>
public readonly record struct MeasuredLoad
{
    private MeasuredLoad(LoadKind kind, int sequences, RequestsPerSecond? rate)
    {
        Kind = kind;
        Sequences = sequences;
        OfferedRate = rate;
    }

    /// <summary>Gets how the load was offered.</summary>
    public LoadKind Kind { get; }

    /// <summary>Gets the sequences in flight of a closed loop (0 otherwise).</summary>
    public int Sequences { get; }

    /// <summary>Gets the offered rate of an open loop, or null for all at once (<c>qps:inf</c>) and the other kinds.</summary>
    public RequestsPerSecond? OfferedRate { get; }

    /// <summary>A closed loop of <paramref name="sequences"/> sequences in flight.</summary>
    /// <param name="sequences">At least 1.</param>
    /// <returns>The load.</returns>
    public static MeasuredLoad Closed(int sequences)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequences, 1);
        return new(LoadKind.Closed, sequences, null);
    }

    /// <summary>Gets offline maximum throughput.</summary>
    public static MeasuredLoad Max { get; } = new(LoadKind.Max, 0, null);

    /// <summary>An open loop at an offered rate; null offers every request at once.</summary>
    /// <param name="rate">The offered rate (above zero), or null.</param>
    /// <returns>The load.</returns>
    public static MeasuredLoad OpenLoop(RequestsPerSecond? rate)
    {
        if (rate is { } r)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(r.Value);
        }

        return new(LoadKind.OpenLoop, 0, rate);
    }

    /// <summary>Formats the load as in the file.</summary>
    /// <returns><c>8</c>, <c>max</c>, <c>qps:2.5</c> or <c>qps:inf</c>.</returns>
    public override string ToString() => Kind switch
    {
        LoadKind.Closed => Sequences.ToString(System.Globalization.CultureInfo.InvariantCulture),
        LoadKind.Max => "max",
        _ => OfferedRate is { } r ? "qps:" + r.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "qps:inf",
    };
}

/// <summary>One row of a measurement file: a measured number and the deployment and workload it was measured on.</summary>
public sealed record Measurement
{
    /// <summary>Gets the row's unique id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets where the number comes from.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the serving engine and version, e.g. <c>vllm:0.10.0</c>.</summary>
    public required string Engine { get; init; }

    /// <summary>Gets the model's catalog id (not checked against the catalog: an unknown id is a skipped row).</summary>
    public required string Model { get; init; }

    /// <summary>Gets the GPU's catalog id (not checked against the catalog: an unknown id is a skipped row).</summary>
    public required string Gpu { get; init; }

    /// <summary>Gets the weight precision.</summary>
    public required Precision Precision { get; init; }

    /// <summary>Gets the tensor-parallel degree.</summary>
    public required int TensorParallel { get; init; }

    /// <summary>Gets the pipeline-parallel degree.</summary>
    public required int PipelineParallel { get; init; }

    /// <summary>Gets the data-parallel replicas whose rates add up.</summary>
    public required int Replicas { get; init; }

    /// <summary>Gets the prompt tokens per request, or null when the source does not say (allowed for
    /// <c>layer_decode_ms</c> only).</summary>
    public required int? InputTokens { get; init; }

    /// <summary>Gets the generated tokens per request, or null when the source does not say (allowed for the layer
    /// metrics only).</summary>
    public required int? OutputTokens { get; init; }

    /// <summary>Gets the load.</summary>
    public required MeasuredLoad Load { get; init; }

    /// <summary>Gets the metric.</summary>
    public required MeasuredMetric Metric { get; init; }

    /// <summary>Gets the measured value, in the metric's unit (tokens/s, requests/s or milliseconds), above zero.</summary>
    public required double Value { get; init; }

    /// <summary>Gets free text about the measurement.</summary>
    public string Note { get; init; } = string.Empty;

    /// <summary>Gets the requests the row's closed-loop benchmark sent, warm-up and measured, when its note says
    /// (<c>warm_up_requests=W; measured_requests=R</c>, docs/formats.md §12); null when it does not, and the benchmark's
    /// harness is assumed instead.</summary>
    public ClosedLoopRequests? Requests { get; init; }

    /// <summary>Gets the line of the row in its file (for messages).</summary>
    public int Line { get; init; }
}
