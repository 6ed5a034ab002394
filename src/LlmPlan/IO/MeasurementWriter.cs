using System.Globalization;
using LlmPlan.Accuracy;
using LlmPlan.Catalog;

namespace LlmPlan.IO;

/// <summary>Writes measurement rows in the one schema <see cref="MeasurementReader"/> reads (docs/formats.md §12).</summary>
public static class MeasurementWriter
{
    /// <summary>The CSV text of <paramref name="rows"/>: the header, then one line per row in the order given. Values
    /// keep every digit (the shortest text that reads back as the same double), so the file reads back equal.</summary>
    /// <param name="rows">The rows.</param>
    /// <returns>The text, <c>\n</c> line ends.</returns>
    public static string Csv(IEnumerable<Measurement> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.WriteRow(MeasurementReader.Columns);
        foreach (Measurement m in rows)
        {
            csv.WriteRow(
            [
                m.Id, m.Source, m.Engine, m.Model, m.Gpu, m.Precision.Name(), Whole(m.TensorParallel), Whole(m.PipelineParallel),
                Whole(m.Replicas), m.InputTokens is { } s ? Whole(s) : string.Empty, m.OutputTokens is { } o ? Whole(o) : string.Empty,
                m.Load.ToString(), m.Metric.Name(), m.Value.ToString("R", CultureInfo.InvariantCulture), m.Note,
            ]);
        }

        return text.ToString();
    }

    private static string Whole(int value) => value.ToString(CultureInfo.InvariantCulture);
}
