namespace LlmPlan.IO.Svg;

/// <summary>A grid of coloured cells with the value printed in each; drawn by <see cref="SvgChartWriter.Heatmap"/>.
/// Colours run along the colour-blind-safe viridis scale from the lowest value (dark purple) to the highest
/// (yellow).</summary>
public sealed record HeatmapChart
{
    /// <summary>Gets the title over the chart; empty for none.</summary>
    public string Title { get; init; } = "";

    /// <summary>Gets the title under the column labels.</summary>
    public string XAxisTitle { get; init; } = "";

    /// <summary>Gets the title beside the row labels.</summary>
    public string YAxisTitle { get; init; } = "";

    /// <summary>Gets the column labels, left to right.</summary>
    public required IReadOnlyList<string> XLabels { get; init; }

    /// <summary>Gets the row labels, top to bottom: <c>YLabels[0]</c> is the top row.</summary>
    public required IReadOnlyList<string> YLabels { get; init; }

    /// <summary>Gets the values, <c>Values[row][column]</c>, one row per <see cref="YLabels"/> entry and one column
    /// per <see cref="XLabels"/> entry. NaN or infinite is no value: the cell is grey and empty.</summary>
    public required IReadOnlyList<IReadOnlyList<double>> Values { get; init; }

    /// <summary>Gets the title of the colour legend bar, units included.</summary>
    public string ColorScaleTitle { get; init; } = "";

    /// <summary>Gets the decimals of the value printed in each cell (fixed, so a column of cells lines up).</summary>
    public int Decimals { get; init; } = 2;

    /// <summary>Gets whether the colour scale is base-10 logarithmic, for values spanning decades (costs per token
    /// over a grid of prompt lengths and concurrencies). Values at or below zero then get no colour (grey, value
    /// still printed) and a note says how many.</summary>
    public bool LogarithmicColorScale { get; init; }

    /// <summary>Gets a fixed value for the low end of the colour scale; null takes the lowest value. Lower values get
    /// the end colour.</summary>
    public double? ColorMin { get; init; }

    /// <summary>Gets a fixed value for the high end of the colour scale; null takes the highest value. Higher values
    /// get the end colour.</summary>
    public double? ColorMax { get; init; }

    /// <summary>Gets the width of the image in pixels.</summary>
    public int Width { get; init; } = 720;

    /// <summary>Gets the height of the image in pixels.</summary>
    public int Height { get; init; } = 440;
}
