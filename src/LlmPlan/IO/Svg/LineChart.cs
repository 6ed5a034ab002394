namespace LlmPlan.IO.Svg;

/// <summary>An x-y chart of lines, markers (scatter) or steps; drawn by <see cref="SvgChartWriter.Line"/>.</summary>
public sealed record LineChart
{
    /// <summary>Gets the title over the chart; empty for none.</summary>
    public string Title { get; init; } = "";

    /// <summary>Gets the horizontal axis.</summary>
    public required AxisSpec XAxis { get; init; }

    /// <summary>Gets the vertical axis.</summary>
    public required AxisSpec YAxis { get; init; }

    /// <summary>Gets the series, coloured from <see cref="ChartPalette.Colors"/> in this order and listed in this
    /// order in the legend.</summary>
    public required IReadOnlyList<ChartSeries> Series { get; init; }

    /// <summary>Gets whether to draw the reference line y = x (dashed grey), for predicted-vs-measured plots.</summary>
    public bool IdentityLine { get; init; }

    /// <summary>Gets the half-width of a shaded band around y = x as a fraction in (0, 1), or null for none: the band
    /// runs from y = (1 − f)·x to y = (1 + f)·x, so 0.25 shades where y is within ±25 % of x (x measured, y
    /// predicted: a relative error of at most 25 %).</summary>
    public double? IdentityBand { get; init; }

    /// <summary>Gets the width of the image in pixels.</summary>
    public int Width { get; init; } = 720;

    /// <summary>Gets the height of the image in pixels.</summary>
    public int Height { get; init; } = 440;
}
