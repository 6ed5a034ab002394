namespace LlmPlan.IO.Svg;

/// <summary>One point of a series, in data units.</summary>
/// <param name="X">The horizontal value.</param>
/// <param name="Y">The vertical value.</param>
public readonly record struct ChartPoint(double X, double Y);

/// <summary>How a series is drawn.</summary>
public enum SeriesStyle
{
    /// <summary>A line through the points in the given order, with a marker on each point.</summary>
    Lines,

    /// <summary>Markers only (a scatter plot).</summary>
    Markers,

    /// <summary>A step line, horizontal then vertical (step-after), with a marker on each point: from (x0, y0) to
    /// (x1, y0) to (x1, y1) and on. Pass a Pareto frontier sorted by X.</summary>
    Steps,
}

/// <summary>A named series of points. Its colour is the palette colour of its position in the chart.</summary>
/// <param name="Name">The legend text.</param>
/// <param name="Points">The points, drawn in this order. Points with a NaN or infinite value, at or below zero on a
/// logarithmic axis, or beyond ±1e300 (under 1e-300 on a logarithmic axis) are skipped (a line breaks there) and
/// counted in a note under the chart; points beyond a fixed axis end are not marked (a line towards them is clipped)
/// and counted too.</param>
/// <param name="Style">How the series is drawn.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, SeriesStyle Style = SeriesStyle.Lines);

/// <summary>One axis of an x-y chart.</summary>
/// <param name="Title">The axis title, units included (for example <c>cost ($/h)</c>).</param>
/// <param name="Logarithmic">Whether the axis is base-10 logarithmic.</param>
/// <param name="Min">A fixed lower end, kept exactly; null rounds the data's lowest value down to a tick. Ignored on a
/// logarithmic axis when not above zero.</param>
/// <param name="Max">A fixed upper end, kept exactly; null rounds the data's highest value up to a tick. Ignored on a
/// logarithmic axis when not above zero.</param>
public sealed record AxisSpec(string Title, bool Logarithmic = false, double? Min = null, double? Max = null);
