using System.Globalization;
using LlmPlan.Performance;

namespace LlmPlan.IO.Seed;

/// <summary>Writes sweep rows with the placement seed's <c>eval_results.csv</c> columns (spec §5.4, alphabetical, so
/// its collectors and plots read them) followed by LlmPlan's own columns.</summary>
/// <remarks>Seed columns without a counterpart here are left empty: <c>real_world_efficiency</c> (no such factor: the
/// model is calibrated instead) and <c>result_dir</c> (one process writes one file). <c>pipeline_efficiency</c> is the
/// share of the decode step the stages are busy, Σ stage times / (PP × decode step): 1 for a balanced, full pipeline,
/// 1/PP with a single sequence.</remarks>
public static class SeedEvalCsv
{
    /// <summary>The seed's 32 columns, in its order.</summary>
    public static readonly IReadOnlyList<string> SeedColumns =
    [
        "batch_size", "cost_per_hour", "cost_per_token", "device_type", "dollar_per_million_token", "error", "gpu_types",
        "input_length", "instance_family", "max_batch_size", "min_batch_size", "min_network_throughput", "model_name",
        "num_decoder_layers", "num_gpus", "num_instances", "num_pipeline_stages", "output_length", "pipeline_efficiency",
        "pp_stages", "raw_throughput_tokens_per_sec", "real_world_efficiency", "result_dir", "sequence_length", "status",
        "throughput_per_dollar", "throughput_per_gpu", "throughput_tokens_per_sec", "total_runtime_hours", "tp_degree",
        "tp_degrees", "workload_phase",
    ];

    /// <summary>Gets every column: the seed's, then ours that the seed does not already have.</summary>
    public static IReadOnlyList<string> Columns { get; } = [.. SeedColumns, .. EvaluationWriter.CsvColumns.Where(c => !SeedColumns.Contains(c))];

    /// <summary>Writes the rows with a header.</summary>
    /// <param name="rows">The evaluations.</param>
    /// <param name="tokensToProcess">The token volume for <c>total_runtime_hours</c> (the seed's total_tokens_to_process).</param>
    /// <param name="writer">The destination.</param>
    public static void Write(IEnumerable<EvaluatedDeployment> rows, double tokensToProcess, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var csv = new CsvWriter(writer);
        csv.WriteRow(Columns);
        var ours = EvaluationWriter.CsvColumns;
        foreach (EvaluatedDeployment row in rows)
        {
            IReadOnlyList<string> own = EvaluationWriter.CsvCells(row);
            csv.WriteRow([.. SeedCells(row, tokensToProcess), .. own.Where((_, i) => !SeedColumns.Contains(ours[i]))]);
        }
    }

    private static IReadOnlyList<string> SeedCells(EvaluatedDeployment e, double tokensToProcess)
    {
        Deployment d = e.Deployment;
        Evaluation r = e.Result;
        bool ok = r.Feasible;
        double total = r.TotalTokensPerSecond.Value;
        double cost = r.CostPerHour.Value;
        string concurrency = I(r.Concurrency);
        string links = d.StageLinks.Count == 0 ? string.Empty
            : CsvWriter.Number(d.StageLinks.Min(l => l.Value) / (d.Model.HiddenSize * MemoryModel.ActivationBytes), 2);
        double busy = ok && r.DecodeStepTime.Value > 0
            ? r.Stages.Sum(s => s.DecodeTime.Value) / (d.PipelineParallel * r.DecodeStepTime.Value)
            : 0;
        string Rate(double value) => ok ? CsvWriter.Number(value, 6) : string.Empty;
        return
        [
            concurrency, CsvWriter.Number(cost, 4), ok ? CsvWriter.Number(cost / (total * 3600), 12) : string.Empty,
            string.Join(",", d.Stages.Select(s => s.Instance).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            Rate(r.DollarsPerMillionTokens.Value), r.Reason, e.GpuLabel, I(e.Workload.InputTokens), e.InstanceLabel, concurrency, concurrency,
            links, d.Model.Id, I(d.Model.Layers), I(d.GpuCount), I(d.Stages.Select(s => s.Instance).Distinct(StringComparer.Ordinal).Count()),
            I(d.PipelineParallel), I(e.Workload.OutputTokens), ok ? CsvWriter.Number(busy, 6) : string.Empty, I(d.PipelineParallel),
            Rate(total), string.Empty, string.Empty, I(e.Workload.InputTokens), ok ? "SUCCESS" : "INFEASIBLE",
            ok && cost > 0 ? CsvWriter.Number(total / cost, 4) : string.Empty, Rate(total / d.GpuCount), Rate(total),
            ok ? CsvWriter.Number(tokensToProcess / (total * 3600), 6) : string.Empty, I(d.Stages[0].TensorParallel),
            string.Join(",", d.Stages.Select(s => I(s.TensorParallel))), "aggregated",
        ];
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
