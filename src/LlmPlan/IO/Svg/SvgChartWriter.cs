namespace LlmPlan.IO.Svg;

/// <summary>Writes charts as standalone SVG text. The same chart always gives the same bytes: coordinates rounded to
/// two decimals with the invariant culture, <c>\n</c> line ends, no timestamps or generated ids, elements in a fixed
/// order. Text is XML-escaped. Data that cannot be drawn (NaN, infinity, values at or below zero on a logarithmic
/// axis, points beyond a fixed axis end) is skipped and counted in a note under the chart; a chart with nothing to
/// draw still has its axes and says <c>no data</c>.</summary>
public static partial class SvgChartWriter
{
    private const double TitleBaseline = 26;
    private const double TitleFontSize = 15;
    private const double TickFontSize = 11;
    private const double NoteFontSize = 11;
    private const double LineHeight = 17;
    private const int LegendMaxChars = 32;
    private const string AxisColor = "#333333";
    private const string GridColor = "#dddddd";
    private const string MinorGridColor = "#f0f0f0";
    private const string NoteColor = "#555555";
    private const string ReferenceColor = "#666666";

    /// <summary>How far outside the image a pixel coordinate may lie before it is clamped (lines to it are clipped).</summary>
    private const double FarAway = 1e9;

    private enum Swatch
    {
        Line,
        Steps,
        Marker,
        Dashed,
        Band,
        Box,
    }

    private static void CheckSize(int width, int height)
    {
        if (width < 200 || height < 150)
        {
            throw new ArgumentOutOfRangeException(nameof(width), Invariant.Text($"A chart is at least 200 × 150 pixels, not {width} × {height}."));
        }
    }

    /// <summary>The room under the plot for the tick labels and the axis title (notes go below it).</summary>
    private static double BelowAxis(string xTitle) => xTitle.Length > 0 ? 40 : 18;

    /// <summary>Room left of the plot for the tick labels of <paramref name="scale"/> and the rotated axis title.</summary>
    private static double LeftMargin(AxisScale scale, string title)
    {
        double labels = scale.Ticks.Where(t => t.Label.Length > 0).Select(t => SvgDocument.TextWidth(t.Label, TickFontSize)).DefaultIfEmpty(0).Max();
        return Math.Max(40, labels + 18 + (title.Length > 0 ? 26 : 4));
    }

    private static double LegendWidth(IEnumerable<string> names, int chartWidth)
    {
        double text = names.Select(n => SvgDocument.TextWidth(SvgDocument.Shorten(n, LegendMaxChars), 12)).DefaultIfEmpty(0).Max();
        return Math.Min(30 + text, chartWidth * 0.4);
    }

    private static void WriteTitle(SvgDocument svg, string title, int width)
    {
        if (title.Length == 0)
        {
            return;
        }

        double size = Math.Min(TitleFontSize, (width - 20) / (title.Length * SvgDocument.GlyphWidth));
        svg.Text(width / 2.0, TitleBaseline, title, $"text-anchor=\"middle\" font-size=\"{SvgDocument.N(size)}\" font-weight=\"bold\"");
    }

    private static void WriteGrid(SvgDocument svg, PlotArea area, AxisScale? x, AxisScale y)
    {
        svg.Open("fill=\"none\" stroke-width=\"1\"");
        foreach (bool major in new[] { false, true })
        {
            string stroke = major ? $"stroke=\"{GridColor}\"" : $"stroke=\"{MinorGridColor}\"";
            foreach (AxisTick tick in x?.Ticks.Where(t => t.Major == major) ?? [])
            {
                double px = area.Left + (x!.Fraction(tick.Value) * area.Width);
                svg.Line(px, area.Top, px, area.Bottom, stroke);
            }

            foreach (AxisTick tick in y.Ticks.Where(t => t.Major == major))
            {
                double py = area.Bottom - (y.Fraction(tick.Value) * area.Height);
                svg.Line(area.Left, py, area.Right, py, stroke);
            }
        }

        svg.Close();
    }

    private static void WriteAxes(SvgDocument svg, PlotArea area, AxisScale? x, AxisScale y)
    {
        svg.Open($"stroke=\"{AxisColor}\" stroke-width=\"1\"");
        svg.Line(area.Left, area.Bottom, area.Right, area.Bottom, "");
        svg.Line(area.Left, area.Top, area.Left, area.Bottom, "");
        List<AxisTick> xLabels = x is null ? [] : VisibleLabels(x.Ticks, x, area.Width, t => SvgDocument.TextWidth(t, TickFontSize));
        List<AxisTick> yLabels = VisibleLabels(y.Ticks, y, area.Height, _ => TickFontSize);
        foreach (AxisTick tick in xLabels)
        {
            double px = area.Left + (x!.Fraction(tick.Value) * area.Width);
            svg.Line(px, area.Bottom, px, area.Bottom + 5, "");
        }

        foreach (AxisTick tick in yLabels)
        {
            double py = area.Bottom - (y.Fraction(tick.Value) * area.Height);
            svg.Line(area.Left - 5, py, area.Left, py, "");
        }

        svg.Close();
        svg.Open($"font-size=\"{SvgDocument.N(TickFontSize)}\" fill=\"{AxisColor}\"");
        foreach (AxisTick tick in xLabels)
        {
            svg.Text(area.Left + (x!.Fraction(tick.Value) * area.Width), area.Bottom + 18, tick.Label, "text-anchor=\"middle\"");
        }

        foreach (AxisTick tick in yLabels)
        {
            svg.Text(area.Left - 8, area.Bottom - (y.Fraction(tick.Value) * area.Height) + 4, tick.Label, "text-anchor=\"end\"");
        }

        svg.Close();
    }

    /// <summary>The labelled ticks that fit without overlapping: major ticks first, then minor, each kept only when
    /// its label (<paramref name="extent"/> along the axis, plus a gap) clears those already kept.</summary>
    private static List<AxisTick> VisibleLabels(IReadOnlyList<AxisTick> ticks, AxisScale scale, double length, Func<string, double> extent)
    {
        var kept = new List<(AxisTick Tick, double From, double To)>();
        foreach (AxisTick tick in ticks.Where(t => t.Label.Length > 0).OrderBy(t => t.Major ? 0 : 1))
        {
            double at = scale.Fraction(tick.Value) * length;
            double half = (extent(tick.Label) / 2) + 3;
            if (kept.All(k => at + half <= k.From || at - half >= k.To))
            {
                kept.Add((tick, at - half, at + half));
            }
        }

        return kept.Select(k => k.Tick).OrderBy(t => t.Value).ToList();
    }

    private static void WriteNoData(SvgDocument svg, PlotArea area) =>
        svg.Text((area.Left + area.Right) / 2, (area.Top + area.Bottom) / 2, "no data", $"text-anchor=\"middle\" font-size=\"14\" fill=\"{NoteColor}\"");

    private static void WriteAxisTitles(SvgDocument svg, PlotArea area, string xTitle, string yTitle)
    {
        if (xTitle.Length > 0)
        {
            svg.Text((area.Left + area.Right) / 2, area.Bottom + 40, xTitle, "text-anchor=\"middle\"");
        }

        if (yTitle.Length > 0)
        {
            svg.RotatedText(18, (area.Top + area.Bottom) / 2, -90, yTitle, "text-anchor=\"middle\"");
        }
    }

    private static void WriteLegend(SvgDocument svg, IReadOnlyList<(string Name, string Color, Swatch Swatch)> entries, double x, double y, int chartWidth, int chartHeight)
    {
        if (entries.Count == 0)
        {
            return;
        }

        // 20 pixels an entry, closer (down to 14) when that would run off the bottom.
        double spacing = Math.Clamp((chartHeight - y - 6) / entries.Count, 14, 20);

        int maxChars = Math.Max(4, (int)((chartWidth * 0.4 - 30) / (12 * SvgDocument.GlyphWidth)));
        svg.Open("class=\"legend\"");
        for (int i = 0; i < entries.Count; i++)
        {
            (string name, string color, Swatch swatch) = entries[i];
            double cy = y + (i * spacing);
            switch (swatch)
            {
                case Swatch.Line:
                    svg.Line(x, cy, x + 22, cy, $"stroke=\"{color}\" stroke-width=\"2\"");
                    svg.Circle(x + 11, cy, 3, $"fill=\"{color}\"");
                    break;
                case Swatch.Steps:
                    svg.Polyline([new(x, cy + 4), new(x + 11, cy + 4), new(x + 11, cy - 4), new(x + 22, cy - 4)], $"fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"");
                    break;
                case Swatch.Marker:
                    svg.Circle(x + 11, cy, 4, $"fill=\"{color}\" fill-opacity=\"0.85\" stroke=\"#ffffff\" stroke-width=\"0.75\"");
                    break;
                case Swatch.Dashed:
                    svg.Line(x, cy, x + 22, cy, $"stroke=\"{color}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
                    break;
                case Swatch.Band:
                    svg.Rect(x, cy - 6, 22, 12, $"fill=\"{color}\" fill-opacity=\"0.2\"");
                    break;
                default:
                    svg.Rect(x + 4, cy - 6, 14, 12, $"fill=\"{color}\"");
                    break;
            }

            string shown = SvgDocument.Shorten(name, Math.Min(LegendMaxChars, maxChars));
            svg.Text(x + 30, cy + 4, shown, "", name);
        }

        svg.Close();
    }

    private static void WriteNotes(SvgDocument svg, IReadOnlyList<string> notes, double x, double firstBaseline)
    {
        for (int i = 0; i < notes.Count; i++)
        {
            svg.Text(x, firstBaseline + (i * LineHeight), notes[i], $"font-size=\"{SvgDocument.N(NoteFontSize)}\" fill=\"{NoteColor}\"");
        }
    }
}
