using System.Globalization;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Units;

namespace LlmPlan.IO.Placement;

/// <summary>One placement in a table of several: the plan, the batch size (engine sequence cap) it was planned for,
/// and whether it is the best row.</summary>
/// <param name="Plan">The plan, or null for a batch size without a feasible placement.</param>
/// <param name="BatchSize">The engine's sequence cap.</param>
/// <param name="Best">Whether the row is the best (lowest $/Mtok; ties to the first).</param>
/// <param name="Reason">Why there is no plan; empty otherwise.</param>
public sealed record PlacementRow(PlacementPlan? Plan, int BatchSize, bool Best, string Reason = "");

/// <summary>Writes placements: <c>solution.json</c>, the seed's <c>solution_summary.csv</c> columns (spec §5.2), the
/// frontier and the batch sweep (the seed's <c>batch_sweep_results.csv</c>).</summary>
public static class PlacementWriter
{
    /// <summary>The seed's summary columns (HEAD), in its order.</summary>
    public static readonly IReadOnlyList<string> SummaryColumns =
    [
        "model_name", "max_input_length", "max_output_length", "batch_size", "total_tokens_per_sec", "input_tokens_per_sec",
        "output_tokens_per_sec", "cost_per_hour", "dollar_per_million_token", "total_runtime_hours", "total_cost", "pipeline_stages",
        "device_type", "pp", "mem_per_gpu_gb", "placement", "layer_mapping", "tp_per_stage", "num_gpus", "total_layers",
    ];

    /// <summary>The seed's batch sweep columns (its Era A <c>batch_sweep_results.csv</c>).</summary>
    public static readonly IReadOnlyList<string> BatchSweepColumns =
    [
        "batch_size", "budget_tested", "throughput_tokens_per_sec", "cost_per_hour", "cost_per_million_tokens", "total_runtime_hours",
        "total_cost", "pipeline_stages", "gpu_type", "tp_degree", "num_gpus", "total_layers", "is_best", "status",
    ];

    /// <summary>The solution as JSON (docs/formats.md, "Placement solution").</summary>
    /// <param name="result">The search result.</param>
    /// <param name="problem">The problem.</param>
    /// <param name="batchSize">The engine sequence cap the plan was made for.</param>
    /// <param name="uniform">The best uniform configuration of the pool (evaluate --sweep), or null when none is feasible.</param>
    /// <returns>The JSON text.</returns>
    public static string Json(PlacementResult result, PlacementProblem problem, int batchSize, EvaluatedDeployment? uniform)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(problem);
        return JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", result.Status == PlacementStatus.Optimal ? "optimal" : "infeasible");
            w.WriteString("reason", result.Reason);
            w.WriteString("objective_name", PlacementSpecFile.Name(problem.Objective));
            w.WriteString("model", problem.Model.Id);
            w.WriteNumber("input_tokens", problem.Workload.InputTokens);
            w.WriteNumber("output_tokens", problem.Workload.OutputTokens);
            w.WriteNumber("batch_size", batchSize);
            if (result.Plan is { } plan)
            {
                Evaluation e = plan.Evaluation;
                w.Number("objective", result.Objective, 9);
                w.Number("output_tokens_per_s", plan.OutputTokensPerSecond.Value, 4);
                w.Number("total_tokens_per_s", plan.TotalTokensPerSecond.Value, 4);
                w.Number("requests_per_s", plan.RequestsPerSecond, 6);
                w.Number("cost_per_hour", plan.CostPerHour.Value, 6);
                w.Number("dollars_per_million_tokens", plan.DollarsPerMillionTokens.Value, 6);
                w.Number("ttft_ms", e.TimeToFirstToken.Milliseconds, 4);
                w.Number("tpot_ms", e.TimePerOutputToken.Milliseconds, 4);
                w.WriteNumber("replicas", plan.Replicas);
                w.WriteNumber("concurrency", e.Concurrency);
                w.WriteNumber("gpus", plan.Deployment.GpuCount * plan.Replicas);
                w.WriteStartArray("machines");
                foreach (string machine in plan.Machines)
                {
                    w.WriteStringValue(machine);
                }

                w.WriteEndArray();
                w.WriteStartArray("stages");
                for (int i = 0; i < e.Stages.Count; i++)
                {
                    StagePrediction s = e.Stages[i];
                    w.WriteStartObject();
                    EvaluationWriter.WriteStagePlacement(w, i, s.Stage);
                    w.WriteNumber("layers", s.Stage.LayerCount);
                    w.Number("decode_ms", s.DecodeTime.Milliseconds, 4);
                    w.Number("prefill_ms", s.PrefillTime.Milliseconds, 4);
                    w.Number("stage_output_tokens_per_s", StageOutputRate(e, s), 4);
                    w.WriteNumber("max_sequences", s.MaxSequences);
                    w.Number("weights_gib", s.Memory.Weights.Gibibytes, 4);
                    w.Number("kv_cache_gib", s.Memory.KvCacheUsed.Gibibytes, 4);
                    w.Number("memory_used_fraction", (s.Memory.Weights + s.Memory.Activations + s.Memory.KvCacheUsed) / s.Memory.Capacity, 6);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteStartArray("links");
                for (int i = 0; i < plan.Deployment.StageLinks.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("from_stage", i + 1);
                    w.WriteNumber("to_stage", i + 2);
                    w.Number("gb_per_s", plan.Deployment.StageLinks[i].GigabytesPerSecond, 6);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            if (uniform is not null)
            {
                w.WriteStartObject("best_uniform");
                w.WriteString("instance", uniform.InstanceLabel);
                w.WriteNumber("tp", uniform.Deployment.Stages[0].TensorParallel);
                w.WriteNumber("pp", uniform.Deployment.PipelineParallel);
                w.Number("total_tokens_per_s", uniform.Result.TotalTokensPerSecond.Value, 4);
                w.Number("cost_per_hour", uniform.Result.CostPerHour.Value, 6);
                w.Number("dollars_per_million_tokens", uniform.Result.DollarsPerMillionTokens.Value, 6);
                w.WriteEndObject();
            }

            w.Number("solve_seconds", result.SolveTime.Value, 4);
            w.WriteStartObject("search");
            w.WriteNumber("cells", result.Statistics.Cells);
            w.WriteNumber("nodes", result.Statistics.Nodes);
            w.WriteNumber("leaves", result.Statistics.Leaves);
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>The output tokens/s the stage alone would allow: the running sequences over its share of the decode step
    /// (micro-batches × its decode time).</summary>
    /// <param name="evaluation">The evaluation.</param>
    /// <param name="stage">The stage.</param>
    /// <returns>Tokens per second.</returns>
    public static double StageOutputRate(Evaluation evaluation, StagePrediction stage)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(stage);
        int microBatches = Math.Min(evaluation.Stages.Count, evaluation.Concurrency);
        return evaluation.Concurrency / (microBatches * stage.DecodeTime.Value);
    }

    /// <summary>Rows with the seed's summary columns, plus <c>is_best</c> when asked (the seed adds it to enumeration
    /// results), then <c>status</c>.</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="problem">The problem (model, lengths, token volume).</param>
    /// <param name="withBest">Whether to add <c>is_best</c>.</param>
    /// <returns>The CSV text.</returns>
    public static string SummaryCsv(IEnumerable<PlacementRow> rows, PlacementProblem problem, bool withBest)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(problem);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.WriteRow([.. SummaryColumns, .. withBest ? new[] { "is_best" } : [], "status"]);
        double volume = problem.Constraints.TokenVolume?.Value ?? 1e6;
        foreach (PlacementRow row in rows)
        {
            if (row.Plan is not { } plan)
            {
                csv.WriteRow([problem.Model.Id, I(problem.Workload.InputTokens), I(problem.Workload.OutputTokens), I(row.BatchSize), .. Enumerable.Repeat(string.Empty, SummaryColumns.Count - 4), .. withBest ? new[] { "NO" } : [], "INFEASIBLE"]);
                continue;
            }

            Deployment d = plan.Deployment;
            double total = plan.TotalTokensPerSecond.Value;
            double share = problem.Workload.InputTokens / (double)(problem.Workload.InputTokens + problem.Workload.OutputTokens);
            double hours = volume / total / 3600.0;
            var stages = d.Stages.Select((s, i) => (Key: Invariant.Text($"PP_{i + 1}"), Stage: s)).ToList();
            csv.WriteRow(
            [
                problem.Model.Id, I(problem.Workload.InputTokens), I(problem.Workload.OutputTokens), I(row.BatchSize), F(total, 2), F(total * share, 2),
                F(plan.OutputTokensPerSecond.Value, 2), F(plan.CostPerHour.Value, 2), F(plan.DollarsPerMillionTokens.Value, 6), F(hours, 2),
                F(plan.CostPerHour.Value * hours, 2), I(d.PipelineParallel),
                string.Join(",", d.Stages.Select(s => s.Instance).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)), I(d.PipelineParallel),
                "{" + string.Join(", ", stages.Select(s => $"{s.Key}:{F(s.Stage.Gpu.Memory.Gibibytes, 1)}")) + "}",
                "{" + string.Join(", ", stages.Select(s => $"{s.Key}:{{{s.Stage.Instance}:{I(s.Stage.TensorParallel)}}}")) + "}",
                "{" + string.Join(", ", stages.Select(s => $"{s.Key}:{I(s.Stage.FirstLayer + 1)}-{I(s.Stage.LastLayer + 1)}")) + "}",
                "{" + string.Join(", ", stages.Select(s => $"{s.Key}:{I(s.Stage.TensorParallel)}")) + "}",
                I(d.GpuCount * plan.Replicas), I(d.Model.Layers), .. withBest ? new[] { row.Best ? "YES" : "NO" } : [], "SUCCESS",
            ]);
        }

        return text.ToString();
    }

    /// <summary>The batch sweep with the seed's columns: every stage's GPU and TP joined by '+' (the seed kept only the
    /// first stage's), no budget (the search is exact, so no budget is tested).</summary>
    /// <param name="rows">One row per batch size.</param>
    /// <param name="problem">The problem (token volume).</param>
    /// <returns>The CSV text.</returns>
    public static string BatchSweepCsv(IEnumerable<PlacementRow> rows, PlacementProblem problem)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(problem);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.WriteRow(BatchSweepColumns);
        double volume = problem.Constraints.TokenVolume?.Value ?? 1e6;
        foreach (PlacementRow row in rows)
        {
            if (row.Plan is not { } plan)
            {
                csv.WriteRow([I(row.BatchSize), .. Enumerable.Repeat(string.Empty, BatchSweepColumns.Count - 3), "NO", "INFEASIBLE"]);
                continue;
            }

            Deployment d = plan.Deployment;
            double hours = volume / plan.TotalTokensPerSecond.Value / 3600.0;
            csv.WriteRow(
            [
                I(row.BatchSize), string.Empty, F(plan.TotalTokensPerSecond.Value, 2), F(plan.CostPerHour.Value, 2), F(plan.DollarsPerMillionTokens.Value, 6),
                F(hours, 2), F(plan.CostPerHour.Value * hours, 2), I(d.PipelineParallel), string.Join("+", d.Stages.Select(s => s.Gpu.Id)),
                string.Join("+", d.Stages.Select(s => I(s.TensorParallel))), I(d.GpuCount * plan.Replicas), I(d.Model.Layers), row.Best ? "YES" : "NO", "SUCCESS",
            ]);
        }

        return text.ToString();
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => CsvWriter.Number(value, decimals);
}
