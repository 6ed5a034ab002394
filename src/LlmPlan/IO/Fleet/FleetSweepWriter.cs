using System.Globalization;
using LlmPlan.IO.Svg;
using LlmPlan.Planning.Fleet;

namespace LlmPlan.IO.Fleet;

/// <summary>Writes a fleet rate sweep as CSV and as an SVG line chart of cost against rate.</summary>
public static class FleetSweepWriter
{
    /// <summary>The CSV: <c>rate,status,cost</c>, units per option (<c>count:NAME</c>), the single-type cost per option
    /// (<c>single:NAME</c>, empty when that type alone cannot serve), <c>best_single</c>, <c>savings_percent</c>.</summary>
    /// <param name="points">The sweep.</param>
    /// <returns>The CSV text.</returns>
    public static string Csv(IReadOnlyList<FleetSweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var names = points.Count == 0 ? [] : points[0].Plan.SingleType.Select(s => s.Option.Name).ToList();
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.WriteRow(["rate", "status", "cost", .. names.Select(n => "count:" + n), .. names.Select(n => "single:" + n), "best_single", "savings_percent"]);
        foreach (FleetSweepPoint p in points)
        {
            FleetPlan plan = p.Plan;
            bool solved = plan.Status != FleetStatus.Infeasible;
            double? best = plan.BestSingleType?.CostPerHour?.Value;
            csv.WriteRow(
            [
                CsvWriter.Number(p.Rate.Value, 6),
                plan.Status.ToString().ToLowerInvariant(),
                solved ? CsvWriter.Number(plan.CostPerHour.Value, 6) : string.Empty,
                .. names.Select((_, g) => solved ? plan.Allocations[g].Count.ToString(CultureInfo.InvariantCulture) : string.Empty),
                .. plan.SingleType.Select(s => s.CostPerHour is { } c ? CsvWriter.Number(c.Value, 6) : string.Empty),
                best is double b ? CsvWriter.Number(b, 6) : string.Empty,
                plan.SavingsOverBestSingleType is double saved ? CsvWriter.Number(saved * 100, 2) : string.Empty,
            ]);
        }

        return text.ToString();
    }

    /// <summary>The chart: the mix's cost and each single type's cost ($/h) against the rate.</summary>
    /// <param name="points">The sweep.</param>
    /// <param name="title">The chart title.</param>
    /// <returns>The SVG text.</returns>
    public static string Svg(IReadOnlyList<FleetSweepPoint> points, string title)
    {
        ArgumentNullException.ThrowIfNull(points);
        var series = new List<ChartSeries>
        {
            new("cheapest mix", [.. points.Where(p => p.Plan.Status != FleetStatus.Infeasible).Select(p => new ChartPoint(p.Rate.Value, p.Plan.CostPerHour.Value))]),
        };
        int options = points.Count == 0 ? 0 : points[0].Plan.SingleType.Count;
        for (int g = 0; g < options; g++)
        {
            series.Add(new ChartSeries(
                points[0].Plan.SingleType[g].Option.Name + " only",
                [.. points.Where(p => p.Plan.SingleType[g].CostPerHour is not null).Select(p => new ChartPoint(p.Rate.Value, p.Plan.SingleType[g].CostPerHour!.Value.Value))]));
        }

        return SvgChartWriter.Line(new LineChart
        {
            Title = title,
            XAxis = new AxisSpec("request rate (requests/s)"),
            YAxis = new AxisSpec("fleet cost ($/h)", Min: 0),
            Series = series,
        });
    }
}
