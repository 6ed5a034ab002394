using System.Text.Json;
using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.IO;

/// <summary>One evaluated deployment with what was asked, ready to report.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Workload">The workload as asked (concurrency null = max).</param>
/// <param name="Result">The prediction.</param>
/// <param name="PriceSource">Where the price comes from.</param>
public sealed record EvaluatedDeployment(Deployment Deployment, Workload Workload, Evaluation Result, string PriceSource)
{
    /// <summary>Gets the stage whose GPUs are fullest (weights plus activations), the one the memory columns describe.</summary>
    public StagePrediction FullestStage => Result.Stages.MaxBy(s => (s.Memory.Weights + s.Memory.Activations).Value)!;

    /// <summary>Gets the distinct GPU ids of the stages, joined with '+'.</summary>
    public string GpuLabel => string.Join("+", Deployment.Stages.Select(s => s.Gpu.Id).Distinct(StringComparer.Ordinal));

    /// <summary>Gets the distinct instance types of the stages (without <c>#index</c>), joined with '+'.</summary>
    public string InstanceLabel => string.Join("+", Deployment.Stages
        .Select(s => s.Instance.Split('#')[0]).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));

    /// <summary>Gets the distinct TP degrees of the stages, joined with '+'.</summary>
    public string TensorParallelLabel => string.Join("+", Deployment.Stages.Select(s => s.TensorParallel).Distinct());

    /// <summary>Gets the simulated closed-loop benchmark of the workload's clients (docs/model.md §5, "Closed-loop
    /// benchmarks"), or null when it was not asked for.</summary>
    public ClosedLoopResult? ClosedLoop { get; init; }
}

/// <summary>Writes evaluations as JSON and CSV (keys snake_case with units in their names).</summary>
public static class EvaluationWriter
{
    /// <summary>Writes where a stage runs: <c>stage</c> (1-based), <c>gpu</c>, <c>instance</c>, <c>tp</c>,
    /// <c>gpu_ids</c>, <c>first_layer</c> and <c>last_layer</c> (1-based, inclusive). Shared by every JSON that lists
    /// stages.</summary>
    /// <param name="w">The writer, inside the stage's object.</param>
    /// <param name="index">The stage's index, 0-based.</param>
    /// <param name="stage">The stage.</param>
    internal static void WriteStagePlacement(Utf8JsonWriter w, int index, PipelineStage stage)
    {
        w.WriteNumber("stage", index + 1);
        w.WriteString("gpu", stage.Gpu.Id);
        w.WriteString("instance", stage.Instance);
        w.WriteNumber("tp", stage.TensorParallel);
        w.WriteStartArray("gpu_ids");
        foreach (int id in stage.GpuIds)
        {
            w.WriteNumberValue(id);
        }

        w.WriteEndArray();
        w.WriteNumber("first_layer", stage.FirstLayer + 1);
        w.WriteNumber("last_layer", stage.LastLayer + 1);
    }

    /// <summary>The CSV columns of one evaluation, in order.</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "model", "gpu", "instance", "tp", "pp", "gpus", "weights_precision", "kv_cache_precision", "input_tokens", "output_tokens",
        "concurrency", "max_concurrency", "feasible", "reason", "ttft_ms", "tpot_ms", "output_tokens_per_s", "total_tokens_per_s",
        "requests_per_s", "cost_per_hour", "dollars_per_million_tokens", "dollars_per_million_output_tokens", "weights_gib",
        "activations_gib", "kv_cache_pool_gib", "kv_cache_used_gib", "free_gib", "price_source",
    ];

    /// <summary>The CSV cells of one evaluation, in the order of <see cref="CsvColumns"/>.</summary>
    /// <param name="e">The evaluation.</param>
    /// <returns>The cells.</returns>
    public static IReadOnlyList<string> CsvCells(EvaluatedDeployment e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Evaluation r = e.Result;
        StageMemory m = e.FullestStage.Memory;
        return
        [
            e.Deployment.Model.Id, e.GpuLabel, e.InstanceLabel, e.TensorParallelLabel, Int(e.Deployment.PipelineParallel),
            Int(e.Deployment.GpuCount), e.Deployment.Weights.Name(), e.Deployment.KvCache.Name(), Int(e.Workload.InputTokens),
            Int(e.Workload.OutputTokens), Int(r.Concurrency), Int(r.MaxConcurrency), r.Feasible ? "true" : "false", r.Reason,
            CsvWriter.Number(r.TimeToFirstToken.Milliseconds, 3), CsvWriter.Number(r.TimePerOutputToken.Milliseconds, 3),
            CsvWriter.Number(r.OutputTokensPerSecond.Value, 2), CsvWriter.Number(r.TotalTokensPerSecond.Value, 2),
            CsvWriter.Number(r.RequestsPerSecond, 4), CsvWriter.Number(r.CostPerHour.Value, 4),
            CsvWriter.Number(r.DollarsPerMillionTokens.Value, 6), CsvWriter.Number(r.DollarsPerMillionOutputTokens.Value, 6),
            CsvWriter.Number(m.Weights.Gibibytes, 3), CsvWriter.Number(m.Activations.Gibibytes, 3),
            CsvWriter.Number(m.KvCachePool.Gibibytes, 3), CsvWriter.Number(m.KvCacheUsed.Gibibytes, 3), CsvWriter.Number(m.Free.Gibibytes, 3),
            e.PriceSource,
        ];
    }

    /// <summary>Writes evaluations as CSV with a header.</summary>
    /// <param name="evaluations">The evaluations.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteCsv(IEnumerable<EvaluatedDeployment> evaluations, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var csv = new CsvWriter(writer);
        csv.WriteRow(CsvColumns);
        foreach (EvaluatedDeployment e in evaluations)
        {
            csv.WriteRow(CsvCells(e));
        }
    }

    /// <summary>Writes one evaluation as a JSON document.</summary>
    /// <param name="e">The evaluation.</param>
    /// <returns>The JSON text.</returns>
    public static string Json(EvaluatedDeployment e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return JsonText.Write(w => WriteJson(w, e));
    }

    /// <summary>Writes one evaluation as a JSON object.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="e">The evaluation.</param>
    public static void WriteJson(Utf8JsonWriter w, EvaluatedDeployment e)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(e);
        Evaluation r = e.Result;
        Deployment d = e.Deployment;
        w.WriteStartObject();
        w.WriteString("model", d.Model.Id);
        w.WriteString("weights_precision", d.Weights.Name());
        w.WriteString("kv_cache_precision", d.KvCache.Name());
        w.WriteNumber("input_tokens", e.Workload.InputTokens);
        w.WriteNumber("output_tokens", e.Workload.OutputTokens);
        if (e.Workload.Concurrency is int asked)
        {
            w.WriteNumber("concurrency_requested", asked);
        }
        else
        {
            w.WriteString("concurrency_requested", "max");
        }

        w.WriteNumber("tp", d.Stages[0].TensorParallel);
        w.WriteNumber("pp", d.PipelineParallel);
        w.WriteNumber("gpus", d.GpuCount);
        w.WriteBoolean("feasible", r.Feasible);
        w.WriteString("reason", r.Reason);
        w.WriteNumber("concurrency", r.Concurrency);
        w.WriteNumber("max_concurrency", r.MaxConcurrency);
        w.WriteNumber("queued_requests", r.QueuedRequests);
        w.Number("ttft_ms", r.TimeToFirstToken.Milliseconds, 3);
        w.Number("tpot_ms", r.TimePerOutputToken.Milliseconds, 3);
        w.Number("decode_step_ms", r.DecodeStepTime.Milliseconds, 3);
        w.Number("output_tokens_per_s", r.OutputTokensPerSecond.Value, 2);
        w.Number("total_tokens_per_s", r.TotalTokensPerSecond.Value, 2);
        w.Number("requests_per_s", r.RequestsPerSecond, 4);
        w.Number("cost_per_hour", r.CostPerHour.Value, 4);
        w.Number("dollars_per_million_tokens", r.DollarsPerMillionTokens.Value, 6);
        w.Number("dollars_per_million_output_tokens", r.DollarsPerMillionOutputTokens.Value, 6);
        w.WriteString("price_source", e.PriceSource);
        if (e.ClosedLoop is { } loop)
        {
            w.WriteStartObject("closed_loop");
            w.WriteNumber("clients", e.Workload.Concurrency ?? r.Concurrency);
            w.WriteNumber("warm_up_requests", loop.WarmUpRequests);
            w.WriteNumber("measured_requests", loop.Requests);
            w.Number("ttft_ms", loop.TimeToFirstToken.Milliseconds, 3);
            w.Number("tpot_ms", loop.TimePerOutputToken.Milliseconds, 3);
            w.WriteNumber("steps", loop.Steps);
            w.WriteEndObject();
        }

        w.WriteStartArray("stages");
        for (int i = 0; i < r.Stages.Count; i++)
        {
            StagePrediction s = r.Stages[i];
            w.WriteStartObject();
            WriteStagePlacement(w, i, s.Stage);
            w.WriteNumber("max_sequences", s.MaxSequences);
            w.Number("decode_ms", s.DecodeTime.Milliseconds, 4);
            w.WriteString("decode_bound", s.DecodeBound == Bound.Compute ? "compute" : "memory");
            w.Number("tensor_parallel_ms", s.TensorParallelTime.Milliseconds, 4);
            w.Number("prefill_ms", s.PrefillTime.Milliseconds, 4);
            w.WriteStartObject("memory_per_gpu");
            w.Number("capacity_gib", s.Memory.Capacity.Gibibytes, 4);
            w.Number("usable_gib", s.Memory.Usable.Gibibytes, 4);
            w.Number("weights_gib", s.Memory.Weights.Gibibytes, 4);
            w.Number("activations_gib", s.Memory.Activations.Gibibytes, 4);
            w.Number("kv_cache_pool_gib", s.Memory.KvCachePool.Gibibytes, 4);
            w.Number("kv_cache_used_gib", s.Memory.KvCacheUsed.Gibibytes, 4);
            w.Number("free_gib", s.Memory.Free.Gibibytes, 4);
            w.WriteNumber("kv_cache_bytes_per_token", Math.Round(s.Memory.KvBytesPerToken.Value));
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Int(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
