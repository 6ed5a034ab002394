namespace LlmPlan.IO.Svg;

/// <summary>One layer of a stacked bar chart: a name and a value per category.</summary>
/// <param name="Name">The legend text.</param>
/// <param name="Values">One value per category, in the order of <see cref="StackedBarChart.Categories"/>. Negative
/// values stack downward from zero; NaN, infinite or beyond ±1e300, a value is skipped and counted in a note.</param>
public sealed record BarSegment(string Name, IReadOnlyList<double> Values);

/// <summary>Bars made of stacked segments, one bar per category; drawn by <see cref="SvgChartWriter.StackedBars"/>.
/// The first segment is at the bottom of each bar; the legend lists segments top to bottom as they are stacked.</summary>
public sealed record StackedBarChart
{
    /// <summary>Gets the title over the chart; empty for none.</summary>
    public string Title { get; init; } = "";

    /// <summary>Gets the title under the category labels.</summary>
    public string XAxisTitle { get; init; } = "";

    /// <summary>Gets the title of the value axis, units included. The value axis is linear and includes zero.</summary>
    public string YAxisTitle { get; init; } = "";

    /// <summary>Gets the category labels, left to right, one bar each.</summary>
    public required IReadOnlyList<string> Categories { get; init; }

    /// <summary>Gets the segments, bottom to top, coloured from <see cref="ChartPalette.Colors"/> in this order.</summary>
    public required IReadOnlyList<BarSegment> Segments { get; init; }

    /// <summary>Gets whether the total of each bar is printed above it.</summary>
    public bool ShowTotals { get; init; } = true;

    /// <summary>Gets the decimals of the printed totals.</summary>
    public int TotalDecimals { get; init; } = 2;

    /// <summary>Gets the width of the image in pixels.</summary>
    public int Width { get; init; } = 720;

    /// <summary>Gets the height of the image in pixels.</summary>
    public int Height { get; init; } = 440;
}
