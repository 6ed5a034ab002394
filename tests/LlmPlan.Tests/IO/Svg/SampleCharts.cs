using LlmPlan.IO.Svg;

namespace LlmPlan.Tests.IO.Svg;

/// <summary>The charts the golden tests draw: one of each kind the verbs will write, plus the edge cases.</summary>
internal static class SampleCharts
{
    public static readonly LineChart FleetCost = new()
    {
        Title = "Fleet cost to serve a request rate, llama-3.1-70b, 2048 in / 512 out",
        XAxis = new AxisSpec("request rate (req/s)"),
        YAxis = new AxisSpec("fleet cost ($/h)", Min: 0),
        Series =
        [
            new ChartSeries("H100-SXM-80GB TP4", [new(1, 12.3), new(5, 24.6), new(10, 49.2), new(20, 86.1), new(37, 160.2)]),
            new ChartSeries("A100-SXM-80GB TP8", [new(1, 18.4), new(5, 36.8), new(10, 55.2), new(20, 110.4), new(37, 202.4)]),
            new ChartSeries("L40S TP4 (a long name that gets shortened in the legend)", [new(1, 9.1), new(5, 27.3), new(10, 45.5), new(20, 91.0), new(37, 172.9)]),
        ],
    };

    public static readonly LineChart PredictedVsMeasured = new()
    {
        Title = "Predicted vs measured latency",
        XAxis = new AxisSpec("measured (ms)", Logarithmic: true),
        YAxis = new AxisSpec("predicted (ms)", Logarithmic: true),
        IdentityLine = true,
        IdentityBand = 0.25,
        Series =
        [
            new ChartSeries("TTFT", [new(35, 41), new(120, 98), new(410, 455), new(1250, 1580), new(1900, 2010)], SeriesStyle.Markers),
            new ChartSeries("TPOT", [new(0.3, 0.33), new(8.2, 9.1), new(14, 12.5), new(22, 31), new(45, 43)], SeriesStyle.Markers),
        ],
    };

    public static readonly LineChart Pareto = new()
    {
        Title = "Cost-throughput frontier",
        XAxis = new AxisSpec("cost ($ per million output tokens)"),
        YAxis = new AxisSpec("throughput (output tokens/s)"),
        Series =
        [
            new ChartSeries("all deployments", [new(0.42, 1200), new(0.55, 1450), new(0.61, 3100), new(0.9, 2600), new(1.2, 5200), new(1.35, 4100), new(2.1, 7300), new(2.4, 6900)], SeriesStyle.Markers),
            new ChartSeries("Pareto frontier", [new(0.42, 1200), new(0.61, 3100), new(1.2, 5200), new(2.1, 7300)], SeriesStyle.Steps),
        ],
    };

    public static readonly LineChart LogWithBadPoints = new()
    {
        Title = "Log axis with points it cannot show",
        XAxis = new AxisSpec("concurrency", Logarithmic: true),
        YAxis = new AxisSpec("latency (ms)", Logarithmic: true),
        Series =
        [
            new ChartSeries("p50", [new(0, 10), new(1, 12), new(4, 15), new(16, -1), new(64, 40), new(256, 0), new(double.NaN, 5)]),
        ],
    };

    public static readonly LineChart MixedAxes = new()
    {
        XAxis = new AxisSpec("batch size", Logarithmic: true),
        YAxis = new AxisSpec("value (same units as x)", Min: 0, Max: 60),
        IdentityLine = true,
        IdentityBand = 0.1,
        Width = 480,
        Height = 320,
        Series =
        [
            new ChartSeries("measured", [new(1, 1.1), new(2, 2.3), new(4, 3.9), new(8, 8.6), new(16, 15.1), new(32, 35), new(64, 70)], SeriesStyle.Markers),
        ],
    };

    public static readonly LineChart Empty = new()
    {
        Title = "Nothing to draw",
        XAxis = new AxisSpec("x"),
        YAxis = new AxisSpec("y"),
        Series = [],
    };

    public static readonly HeatmapChart Heatmap = new()
    {
        Title = "Cost per million tokens by prompt length and concurrency",
        XAxisTitle = "concurrency",
        YAxisTitle = "input tokens",
        XLabels = ["1", "4", "16", "64", "256"],
        YLabels = ["8192", "2048", "512", "128"],
        Values =
        [
            [41.27, 11.9, 4.08, double.NaN, double.NaN],
            [12.5, 3.61, 1.22, 0.51, double.NaN],
            [4.02, 1.13, 0.38, 0.16, 0.11],
            [1.9, 0.52, 0.17, 0.07, 0.05],
        ],
        ColorScaleTitle = "$ per million tokens",
    };

    public static readonly HeatmapChart LogHeatmap = Heatmap with
    {
        Title = "The same grid on a logarithmic colour scale, one value zero",
        LogarithmicColorScale = true,
        Values =
        [
            [41.27, 11.9, 4.08, double.NaN, double.NaN],
            [12.5, 3.61, 1.22, 0.51, double.NaN],
            [4.02, 1.13, 0.38, 0.16, 0.11],
            [1.9, 0.52, 0.17, 0.07, 0],
        ],
    };

    public static readonly HeatmapChart CrowdedHeatmap = new()
    {
        Title = "A 24 × 16 grid with long column labels",
        XAxisTitle = "instance type",
        YAxisTitle = "output tokens",
        XLabels = Enumerable.Range(0, 24).Select(i => $"instance-type-{i:00}.xlarge").ToList(),
        YLabels = Enumerable.Range(0, 16).Select(i => (16 * (i + 1)).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(),
        Values = Enumerable.Range(0, 16).Select(r => (IReadOnlyList<double>)Enumerable.Range(0, 24).Select(c => ((r * 24) + c) * 0.37).ToList()).ToList(),
        ColorScaleTitle = "cost ($/h)",
        Decimals = 1,
    };

    public static readonly StackedBarChart CostBars = new()
    {
        Title = "Hourly cost by component",
        XAxisTitle = "deployment",
        YAxisTitle = "cost ($/h)",
        Categories = ["H100 TP4", "H100 TP8", "A100 TP8", "L40S TP4", "H200 TP2"],
        Segments =
        [
            new BarSegment("GPUs", [39.3, 78.6, 32.8, 7.6, 25.1]),
            new BarSegment("CPU and memory", [2.1, 4.2, 2.0, 1.1, 1.5]),
            new BarSegment("network", [0.8, 1.6, 0.8, 0.3, 0.4]),
        ],
    };

    public static readonly StackedBarChart NegativeBars = new()
    {
        Title = "Net cost with a reserved-capacity credit",
        YAxisTitle = "$/h",
        Categories = ["on-demand", "1-year", "3-year"],
        Segments =
        [
            new BarSegment("compute", [98.3, 98.3, 98.3]),
            new BarSegment("credit", [0, -35.4, -61.9]),
        ],
        TotalDecimals = 1,
    };

    public static readonly StackedBarChart RotatedBars = new()
    {
        Title = "Many long categories, a missing value",
        YAxisTitle = "cost ($/h)",
        Categories = Enumerable.Range(1, 14).Select(i => $"p5.48xlarge × {i} (us-east-1)").ToList(),
        Segments =
        [
            new BarSegment("on-demand", Enumerable.Range(1, 14).Select(i => i == 7 ? double.NaN : 98.32 * i / 8).ToList()),
            new BarSegment("storage", Enumerable.Range(1, 14).Select(i => 0.4 * i).ToList()),
        ],
    };

    public static IEnumerable<(string Name, string Svg)> All()
    {
        yield return ("fleet-cost-vs-rate", SvgChartWriter.Line(FleetCost));
        yield return ("predicted-vs-measured", SvgChartWriter.Line(PredictedVsMeasured));
        yield return ("pareto-frontier", SvgChartWriter.Line(Pareto));
        yield return ("log-axis-skipped-points", SvgChartWriter.Line(LogWithBadPoints));
        yield return ("mixed-axes-no-title", SvgChartWriter.Line(MixedAxes));
        yield return ("empty", SvgChartWriter.Line(Empty));
        yield return ("heatmap", SvgChartWriter.Heatmap(Heatmap));
        yield return ("heatmap-log-colors", SvgChartWriter.Heatmap(LogHeatmap));
        yield return ("heatmap-crowded", SvgChartWriter.Heatmap(CrowdedHeatmap));
        yield return ("stacked-bars", SvgChartWriter.StackedBars(CostBars));
        yield return ("stacked-bars-negative", SvgChartWriter.StackedBars(NegativeBars));
        yield return ("stacked-bars-rotated-labels", SvgChartWriter.StackedBars(RotatedBars));
    }
}
