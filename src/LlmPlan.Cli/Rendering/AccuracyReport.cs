using System.Globalization;
using LlmPlan.Accuracy;

namespace LlmPlan.Cli.Rendering;

/// <summary>The tables of <c>llmplan validate</c> and <c>llmplan calibrate</c>.</summary>
internal static class AccuracyReport
{
    /// <summary>How many of the worst rows are listed.</summary>
    public const int WorstRows = 10;

    private static readonly IReadOnlySet<int> Numeric = new HashSet<int> { 1, 2, 3, 4 };

    /// <summary>Writes the error summaries, the worst rows and the skipped rows.</summary>
    public static void Write(TextWriter output, ValidationReport report, string name)
    {
        output.WriteLine(LlmPlan.Invariant.Text($"{name}: {report.Rows.Count} rows, {report.Overall.Count} predicted, {report.Rows.Count - report.Overall.Count} skipped."));
        Tables.Write(output, "absolute percentage error (APE)", ["group", "n", "median", "mean", "p90"], SummaryRows(report), Numeric);
        var worst = report.Predicted.OrderByDescending(r => r.Ape!.Value).ThenBy(r => r.Measurement.Id, StringComparer.Ordinal).Take(WorstRows).ToList();
        if (worst.Count > 0)
        {
            Tables.Write(
                output,
                "worst rows",
                ["id", "metric", "gpu", "tp x pp", "load", "measured", "predicted", "APE"],
                worst.Select(r => (IReadOnlyList<string>)
                [
                    r.Measurement.Id, r.Measurement.Metric.Name(), r.Measurement.Gpu,
                    LlmPlan.Invariant.Text($"{r.Measurement.TensorParallel} x {r.Measurement.PipelineParallel}"), r.Measurement.Load.ToString(),
                    Number(r.Measurement.Value), Number(r.Predicted!.Value), Percent(r.Ape!.Value),
                ]),
                new HashSet<int> { 5, 6, 7 });
        }

        var skipped = report.Skipped.ToList();
        if (skipped.Count > 0)
        {
            Tables.Write(output, "skipped rows", ["id", "reason"], skipped.Select(r => (IReadOnlyList<string>)[r.Measurement.Id, r.SkipReason]));
        }
    }

    /// <summary>The rows of the summary table: overall, then per metric, per GPU, per TP degree and per engine.</summary>
    public static IEnumerable<IReadOnlyList<string>> SummaryRows(ValidationReport report)
    {
        yield return Row("overall", report.Overall);
        foreach (var (prefix, groups) in new[] { ("metric ", report.ByMetric), ("gpu ", report.ByGpu), ("tp ", report.ByTensorParallel), ("engine ", report.ByEngine) })
        {
            foreach (ErrorGroup group in groups)
            {
                yield return Row(prefix + group.Key, group.Summary);
            }
        }
    }

    /// <summary>One summary row.</summary>
    public static IReadOnlyList<string> Row(string group, ErrorSummary s) =>
        [group, s.Count.ToString(CultureInfo.InvariantCulture), Percent(s.MedianApe), Percent(s.Mape), Percent(s.P90Ape)];

    /// <summary>A fraction as a percentage with one decimal, or a dash when undefined.</summary>
    public static string Percent(double fraction) => double.IsFinite(fraction) ? (fraction * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "-";

    private static string Number(double value) => value.ToString("#,0.###", CultureInfo.InvariantCulture);
}
