using System.Globalization;
using System.Text.Json;
using LlmPlan.Accuracy;
using LlmPlan.IO.Svg;

namespace LlmPlan.IO;

/// <summary>Writes the outputs of <c>llmplan validate</c>: predictions.csv, summary.json and predicted-vs-measured.svg.</summary>
public static class ValidationWriter
{
    /// <summary>The name of the per-row file.</summary>
    public const string PredictionsFile = "predictions.csv";

    /// <summary>The name of the summary file.</summary>
    public const string SummaryFile = "summary.json";

    /// <summary>The name of the chart.</summary>
    public const string ChartFile = "predicted-vs-measured.svg";

    /// <summary>The predicted rows: <c>id,metric,measured,predicted,ape</c>, in file order; skipped rows are in
    /// summary.json, not here.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The CSV text.</returns>
    public static string PredictionsCsv(ValidationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.WriteRow(["id", "metric", "measured", "predicted", "ape"]);
        foreach (MeasurementPrediction row in report.Predicted)
        {
            csv.WriteRow([row.Measurement.Id, row.Measurement.Metric.Name(), CsvWriter.Number(row.Measurement.Value, 6), CsvWriter.Number(row.Predicted!.Value, 6), CsvWriter.Number(row.Ape!.Value, 6)]);
        }

        return text.ToString();
    }

    /// <summary>The summary: row counts, skipped rows with reasons, and the error statistics overall, per metric and per
    /// GPU (fractions with 6 decimals; null when a group has no predicted row).</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text.</returns>
    public static string SummaryJson(ValidationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("rows", report.Rows.Count);
            w.WriteNumber("predicted", report.Overall.Count);
            w.WriteStartArray("skipped");
            foreach (MeasurementPrediction row in report.Skipped)
            {
                w.WriteStartObject();
                w.WriteString("id", row.Measurement.Id);
                w.WriteString("reason", row.SkipReason);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WritePropertyName("overall");
            Summary(w, report.Overall);
            Groups(w, "by_metric", report.ByMetric);
            Groups(w, "by_gpu", report.ByGpu);
            Groups(w, "by_tp", report.ByTensorParallel);
            Groups(w, "by_engine", report.ByEngine);
            w.WriteEndObject();
        });
    }

    /// <summary>The chart: predicted against measured on log-log axes, one colour per metric, with y = x and a ±25 % band.
    /// Every metric shares the axes, so times (ms) and rates (per s) sit in different decades of the same picture.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The SVG text.</returns>
    public static string Svg(ValidationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var series = report.Predicted
            .GroupBy(r => r.Measurement.Metric)
            .OrderBy(g => g.Key)
            .Select(g => new ChartSeries(g.Key.Name(), [.. g.Select(r => new ChartPoint(r.Measurement.Value, r.Predicted!.Value))], SeriesStyle.Markers))
            .ToList();
        return SvgChartWriter.Line(new LineChart
        {
            Title = Invariant.Text($"Predicted against measured ({report.Overall.Count} rows; median APE {report.Overall.MedianApe * 100:0.0} %)"),
            XAxis = new AxisSpec("measured (ms or per second)", Logarithmic: true),
            YAxis = new AxisSpec("predicted (same unit)", Logarithmic: true),
            Series = series,
            IdentityLine = true,
            IdentityBand = 0.25,
            Width = 820,
            Height = 560,
        });
    }

    private static void Groups(Utf8JsonWriter w, string name, IReadOnlyList<ErrorGroup> groups)
    {
        w.WriteStartObject(name);
        foreach (ErrorGroup group in groups)
        {
            w.WritePropertyName(group.Key);
            Summary(w, group.Summary);
        }

        w.WriteEndObject();
    }

    private static void Summary(Utf8JsonWriter w, ErrorSummary s)
    {
        w.WriteStartObject();
        w.WriteNumber("n", s.Count);
        foreach (var (key, value) in new[] { ("median_ape", s.MedianApe), ("mape", s.Mape), ("p90_ape", s.P90Ape) })
        {
            if (double.IsFinite(value))
            {
                w.Number(key, value, 6);
            }
            else
            {
                w.WriteNull(key);
            }
        }

        w.WriteEndObject();
    }
}
