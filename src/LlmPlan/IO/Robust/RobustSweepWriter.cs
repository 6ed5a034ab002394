using System.Globalization;
using LlmPlan.IO.Svg;
using LlmPlan.Planning.Robust;
using LlmPlan.Planning.Sweeps;

namespace LlmPlan.IO.Robust;

/// <summary>Writes a robust sensitivity sweep: one CSV row per grid point (the seed's metric columns, spec §4, under
/// its names, with the corrected budget and memory figures) and the SVG charts.</summary>
public static class RobustSweepWriter
{
    /// <summary>The most solved points drawn as bars; beyond it the bar charts show <see cref="RepresentativeBars"/>
    /// points spread evenly over the range of total cost.</summary>
    public const int MaxBars = 30;

    /// <summary>The bars drawn when there are more than <see cref="MaxBars"/> solved points.</summary>
    public const int RepresentativeBars = 12;

    /// <summary>The most lines in a cost-against-parameter chart (the palette's colours); with more levels every
    /// second (third, …) level is drawn.</summary>
    public const int MaxLines = 8;

    /// <summary>The CSV column of a swept parameter's factor, e.g. <c>gpu_price_scale</c>.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <returns>The column name.</returns>
    public static string Column(ScaledParameter parameter) => RobustScaling.NameOf(parameter).Replace('-', '_') + "_scale";

    /// <summary>The CSV: the factor of each axis, <c>status</c> (optimal, feasible, infeasible), <c>total_cost</c>, the
    /// cost terms <c>C1</c> (rental), <c>C2_model</c>, <c>C2_data</c>, <c>C3_nominal</c> (nominal delay, corrected
    /// formulation), <c>C3</c> (worst-case delay deviation ϱ, the seed's C3), <c>C4</c> (unmet) and each as
    /// <c>_pct</c> of the total, the counts and averages of <see cref="RobustMetrics"/>, <c>tp_N_count</c> per TP degree,
    /// <c>budget_lhs</c>, <c>budget_threshold</c>, <c>budget_utilization</c>, <c>max_memory_utilization</c> and
    /// <c>solve_seconds</c>. Fixed decimals; an infeasible point has only its factors, status and time.</summary>
    /// <param name="axes">The axes.</param>
    /// <param name="points">The points, in grid order.</param>
    /// <returns>The CSV text.</returns>
    public static string Csv(IReadOnlyList<SweepAxis> axes, IReadOnlyList<RobustSweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(axes);
        ArgumentNullException.ThrowIfNull(points);
        IReadOnlyList<int> degrees = points.Count > 0 ? points[0].Solution.Instance.TpDegrees : [];
        string[] costs = ["C1", "C2_model", "C2_data", "C3_nominal", "C3", "C4"];
        string[] header =
        [
            .. axes.Select(a => Column(a.Parameter)), "status", "total_cost", .. costs, .. costs.Select(c => c + "_pct"),
            "num_allocations", "num_gpu_configs", "total_gpus", "num_unmet_queries", "total_unmet_fraction", "avg_delay", "avg_error",
            "num_tp_configs", .. degrees.Select(n => Invariant.Text($"tp_{n}_count")), "avg_tp_degree",
            "budget_lhs", "budget_threshold", "budget_utilization", "max_memory_utilization", "solve_seconds",
        ];
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.WriteRow(header);
        foreach (RobustSweepPoint p in points)
        {
            RobustSolution s = p.Solution;
            var row = new List<string>(header.Length);
            row.AddRange(p.Factors.Select((f, a) => Factor(axes[a], f)));
            row.Add(s.Status.ToString().ToLowerInvariant());
            if (s.Breakdown is CostBreakdown b)
            {
                RobustMetrics m = RobustMetrics.Of(s);
                double[] terms = [b.Rental, b.ModelStorage, b.DataStorage, b.NominalDelay, b.RobustDelay, b.Unmet];
                row.Add(Invariant.Fixed(s.Objective, 4));
                row.AddRange(terms.Select(t => Invariant.Fixed(t, 4)));
                row.AddRange(terms.Select(t => Invariant.Fixed(s.Objective != 0 ? t / s.Objective * 100 : 0, 2)));
                row.AddRange([Int(m.Allocations), Int(m.GpuConfigs), Int(m.TotalGpus), Int(m.UnmetClasses), Invariant.Fixed(m.TotalUnmetFraction, 6)]);
                row.AddRange([Invariant.Fixed(m.AverageDelay, 4), Invariant.Fixed(m.AverageError, 6), Int(m.GpuConfigs), .. m.TpCounts.Select(Int), Invariant.Fixed(m.AverageTp, 4)]);
                row.AddRange([Invariant.Fixed(m.BudgetUsed, 4), Invariant.Fixed(m.Budget, 4), Invariant.Fixed(m.BudgetUtilization, 6), Invariant.Fixed(m.MaxMemoryUtilization, 6)]);
            }
            else
            {
                row.AddRange(Enumerable.Repeat(string.Empty, header.Length - row.Count - 1));
            }

            row.Add(Invariant.Fixed(s.SolveTime.Value, 3));
            csv.WriteRow(row);
        }

        return text.ToString();
    }

    /// <summary>The charts, as (file name, SVG): for two axes, heatmaps of total, rental, unmet and delay cost and total
    /// cost against each parameter with one line per level of the other; for one axis, the cost terms against it; for
    /// both, the stacked cost breakdown and the TP-degree distribution per point (every solved point up to
    /// <see cref="MaxBars"/>, else <see cref="RepresentativeBars"/> spread over the range of total cost).</summary>
    /// <param name="axes">The axes.</param>
    /// <param name="points">The points, in grid order.</param>
    /// <param name="name">What was swept, for the titles (the instance name).</param>
    /// <returns>The charts, in a fixed order.</returns>
    public static IReadOnlyList<(string FileName, string Svg)> Charts(IReadOnlyList<SweepAxis> axes, IReadOnlyList<RobustSweepPoint> points, string name)
    {
        ArgumentNullException.ThrowIfNull(axes);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(name);
        var charts = new List<(string, string)>();
        if (axes.Count == 2)
        {
            (string File, string Title, Func<CostBreakdown, double> Cost)[] heatmaps =
            [
                ("total", "Total cost", b => b.Total),
                ("rental", "GPU rental cost C1", b => b.Rental),
                ("unmet", "Unmet-demand cost C4", b => b.Unmet),
                ("delay", "Delay cost C3, nominal + worst-case", b => b.NominalDelay + b.RobustDelay),
            ];
            charts.AddRange(heatmaps.Select(h => ($"heatmap-{h.File}-cost.svg", Heatmap(axes, points, Invariant.Text($"{h.Title} ($), {name}"), h.Cost))));
            charts.Add(($"cost-vs-{RobustScaling.NameOf(axes[1].Parameter)}.svg", CostLines(axes, points, name, along: 1)));
            charts.Add(($"cost-vs-{RobustScaling.NameOf(axes[0].Parameter)}.svg", CostLines(axes, points, name, along: 0)));
        }
        else
        {
            charts.Add(($"cost-vs-{RobustScaling.NameOf(axes[0].Parameter)}.svg", CostTerms(axes[0], points, name)));
        }

        var (bars, barsTitle) = BarPoints(axes, points);
        string[] labels = [.. bars.Select(p => Label(axes, p))];
        CostBreakdown[] terms = [.. bars.Select(p => p.Solution.Breakdown!)];
        charts.Add(("cost-breakdown.svg", SvgChartWriter.StackedBars(new StackedBarChart
        {
            Title = Invariant.Text($"Cost breakdown, {name}"),
            XAxisTitle = barsTitle,
            YAxisTitle = "cost ($)",
            Categories = labels,
            Segments =
            [
                new("rental (C1)", [.. terms.Select(b => b.Rental)]),
                new("model storage (C2)", [.. terms.Select(b => b.ModelStorage)]),
                new("data storage (C2)", [.. terms.Select(b => b.DataStorage)]),
                new("nominal delay (C3)", [.. terms.Select(b => b.NominalDelay)]),
                new("worst-case delay ϱ (C3)", [.. terms.Select(b => b.RobustDelay)]),
                new("unmet demand (C4)", [.. terms.Select(b => b.Unmet)]),
            ],
            TotalDecimals = 1,
        })));
        RobustMetrics[] metrics = [.. bars.Select(p => RobustMetrics.Of(p.Solution))];
        IReadOnlyList<int> degrees = points.Count > 0 ? points[0].Solution.Instance.TpDegrees : [];
        charts.Add(("tp-distribution.svg", SvgChartWriter.StackedBars(new StackedBarChart
        {
            Title = Invariant.Text($"Deployed (model, tier) pairs per TP degree, {name}"),
            XAxisTitle = barsTitle,
            YAxisTitle = "deployed pairs",
            Categories = labels,
            Segments = [.. degrees.Select((n, d) => new BarSegment(Invariant.Text($"TP {n}"), [.. metrics.Select(m => (double)m.TpCounts[d])]))],
            TotalDecimals = 0,
        })));
        return charts;
    }

    /// <summary>A heatmap of one cost over the grid: the first axis's factors as rows (largest at the top), the
    /// second's as columns; infeasible points are grey.</summary>
    private static string Heatmap(IReadOnlyList<SweepAxis> axes, IReadOnlyList<RobustSweepPoint> points, string title, Func<CostBreakdown, double> cost)
    {
        int columns = axes[1].Factors.Count;
        var rows = Enumerable.Range(0, axes[0].Factors.Count).Reverse().ToList();
        return SvgChartWriter.Heatmap(new HeatmapChart
        {
            Title = title,
            XAxisTitle = AxisTitle(axes[1].Parameter),
            YAxisTitle = AxisTitle(axes[0].Parameter),
            XLabels = Labels(axes[1]),
            YLabels = [.. rows.Select(r => Labels(axes[0])[r])],
            Values = [.. rows.Select(r => (IReadOnlyList<double>)[.. Enumerable.Range(0, columns).Select(c => Cost(points[(r * columns) + c], cost))])],
            ColorScaleTitle = "$",
            Decimals = 1,
        });
    }

    /// <summary>Total cost against the factor of axis <paramref name="along"/>, one line per level of the other axis.</summary>
    private static string CostLines(IReadOnlyList<SweepAxis> axes, IReadOnlyList<RobustSweepPoint> points, string name, int along)
    {
        int other = 1 - along;
        int columns = axes[1].Factors.Count;
        int stride = (int)Math.Ceiling(axes[other].Factors.Count / (double)MaxLines);
        string every = stride > 1 ? Invariant.Text($" (every {Ordinal(stride)} level)") : string.Empty;
        var series = new List<ChartSeries>();
        for (int level = 0; level < axes[other].Factors.Count; level += stride)
        {
            series.Add(new ChartSeries(
                Invariant.Text($"{RobustScaling.NameOf(axes[other].Parameter)} × {Labels(axes[other])[level]}"),
                [.. axes[along].Factors.Select((f, i) => new ChartPoint(f, Cost(points[along == 1 ? (level * columns) + i : (i * columns) + level], b => b.Total)))]));
        }

        return SvgChartWriter.Line(new LineChart
        {
            Title = Invariant.Text($"Total cost, one line per {RobustScaling.NameOf(axes[other].Parameter)} factor{every}, {name}") + Gaps(points),
            XAxis = new AxisSpec(AxisTitle(axes[along].Parameter)),
            YAxis = new AxisSpec("total cost ($)"),
            Series = series,
        });
    }

    /// <summary>The total and each cost term against the one swept parameter.</summary>
    private static string CostTerms(SweepAxis axis, IReadOnlyList<RobustSweepPoint> points, string name)
    {
        (string Name, Func<CostBreakdown, double> Cost)[] terms =
        [
            ("total", b => b.Total),
            ("rental (C1)", b => b.Rental),
            ("storage (C2)", b => b.ModelStorage + b.DataStorage),
            ("delay (C3)", b => b.NominalDelay + b.RobustDelay),
            ("unmet demand (C4)", b => b.Unmet),
        ];
        return SvgChartWriter.Line(new LineChart
        {
            Title = Invariant.Text($"Cost terms, {name}") + Gaps(points),
            XAxis = new AxisSpec(AxisTitle(axis.Parameter)),
            YAxis = new AxisSpec("cost ($)", Min: 0),
            Series = [.. terms.Select(t => new ChartSeries(t.Name, [.. points.Select((p, i) => new ChartPoint(axis.Factors[i], Cost(p, t.Cost)))]))],
        });
    }

    /// <summary>The points drawn as bars, with the category-axis title saying which.</summary>
    private static (IReadOnlyList<RobustSweepPoint> Points, string Title) BarPoints(IReadOnlyList<SweepAxis> axes, IReadOnlyList<RobustSweepPoint> points)
    {
        string factors = string.Join(" × ", axes.Select(a => RobustScaling.NameOf(a.Parameter))) + " factors";
        var solved = points.Where(p => p.Solution.Status != RobustStatus.Infeasible).ToList();
        int infeasible = points.Count - solved.Count;
        string left = infeasible > 0 ? Invariant.Text($"; {infeasible} infeasible left out") : string.Empty;
        if (solved.Count <= MaxBars)
        {
            return (solved, factors + left);
        }

        // Evenly spaced ranks in total cost, cheapest and dearest included (the seed's slicer crashes under 10 rows).
        var byCost = solved.OrderBy(p => p.Solution.Objective).ToList();
        var picked = Enumerable.Range(0, RepresentativeBars)
            .Select(i => byCost[(int)Math.Round(i * (byCost.Count - 1) / (double)(RepresentativeBars - 1), MidpointRounding.AwayFromZero)])
            .ToList();
        return (picked, Invariant.Text($"{factors} ({RepresentativeBars} of {solved.Count} solved points, by total cost{left})"));
    }

    private static double Cost(RobustSweepPoint point, Func<CostBreakdown, double> cost) =>
        point.Solution.Breakdown is CostBreakdown b ? cost(b) : double.NaN;

    private static string Gaps(IReadOnlyList<RobustSweepPoint> points) =>
        points.Any(p => p.Solution.Status == RobustStatus.Infeasible) ? "; gaps are infeasible" : string.Empty;

    /// <summary>A factor as the CSV and the charts write it: with the most decimals any factor of its axis needs, at
    /// least one (0.40, 0.45; 1.0).</summary>
    /// <param name="axis">The axis.</param>
    /// <param name="factor">One of its factors.</param>
    /// <returns>The text.</returns>
    public static string Factor(SweepAxis axis, double factor)
    {
        ArgumentNullException.ThrowIfNull(axis);
        return Invariant.Fixed(factor, Decimals(axis));
    }

    private static string Label(IReadOnlyList<SweepAxis> axes, RobustSweepPoint point) =>
        string.Join(" × ", point.Factors.Select((f, a) => Factor(axes[a], f)));

    private static IReadOnlyList<string> Labels(SweepAxis axis) => [.. axis.Factors.Select(f => Factor(axis, f))];

    private static int Decimals(SweepAxis axis) => Math.Max(1, axis.Factors.Max(SweepRange.Decimals));

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ordinal(int n) => n switch { 2 => "2nd", 3 => "3rd", _ => Invariant.Text($"{n}th") };

    private static string AxisTitle(ScaledParameter parameter) => parameter switch
    {
        ScaledParameter.GpuPrice => "GPU price (× base)",
        ScaledParameter.Budget => "budget δ (× base)",
        ScaledParameter.DelayThreshold => "delay limit Δ (× base)",
        ScaledParameter.ErrorThreshold => "error-rate limit ε (× base)",
        ScaledParameter.GpuMemory => "GPU memory per GPU (× base)",
        _ => RobustScaling.NameOf(parameter),
    };
}
