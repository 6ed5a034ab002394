using System.Globalization;

namespace LlmPlan.IO.Svg;

/// <summary>The heatmap.</summary>
public static partial class SvgChartWriter
{
    private const int ColorBarSlices = 48;
    private const double ColorBarWidth = 14;

    /// <summary>Writes a heatmap: one cell per value, coloured on the viridis scale and with the value printed in it
    /// (when the cells are too small for legible text the values are left out and a note says so), and a colour
    /// legend bar on the right. Cells without a value are grey and empty.</summary>
    /// <param name="chart">The heatmap.</param>
    /// <returns>The SVG document, ending in a newline.</returns>
    /// <exception cref="ArgumentException">The rows of <see cref="HeatmapChart.Values"/> do not match the labels.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is under 200 × 150 pixels, or the decimals are not 0..10.</exception>
    public static string Heatmap(HeatmapChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(chart.XLabels);
        ArgumentNullException.ThrowIfNull(chart.YLabels);
        ArgumentNullException.ThrowIfNull(chart.Values);
        CheckSize(chart.Width, chart.Height);
        ArgumentOutOfRangeException.ThrowIfNegative(chart.Decimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chart.Decimals, 10);
        int rows = chart.YLabels.Count;
        int columns = chart.XLabels.Count;
        if (chart.Values.Count != rows || chart.Values.Any(r => r is null || r.Count != columns))
        {
            throw new ArgumentException(Invariant.Text($"Values must have {rows} rows (one per Y label) of {columns} values (one per X label)."), nameof(chart));
        }

        bool log = chart.LogarithmicColorScale;
        List<double> finite = chart.Values.SelectMany(r => r).Where(double.IsFinite).ToList();
        List<double> colourable = finite.Where(v => !log || v > 0).ToList();
        AxisScale? colors = colourable.Count == 0 ? null : ColorScale(colourable, chart.ColorMin, chart.ColorMax, log);
        bool Coloured(double v) => colors is not null && double.IsFinite(v) && (!log || v > 0);
        bool grey = colourable.Count < rows * columns;
        var notes = new List<string>();
        if (finite.Count > colourable.Count)
        {
            int count = finite.Count - colourable.Count;
            notes.Add((count == 1 ? "1 value" : Invariant.Text($"{count} values")) + " ≤ 0 not coloured (logarithmic colour scale)");
        }

        double top = chart.Title.Length > 0 ? 44 : 16;
        double rowLabels = chart.YLabels.Select(l => SvgDocument.TextWidth(SvgDocument.Shorten(l, CategoryMaxChars), TickFontSize)).DefaultIfEmpty(0).Max();
        double left = Math.Max(40, rowLabels + 14 + (chart.YAxisTitle.Length > 0 ? 26 : 4));
        double barLabels = colors?.Ticks.Where(t => t.Label.Length > 0).Select(t => SvgDocument.TextWidth(t.Label, TickFontSize)).DefaultIfEmpty(0).Max() ?? 0;
        double right = Math.Max(
            16 + ColorBarWidth + 6 + barLabels + (chart.ColorScaleTitle.Length > 0 ? 26 : 4) + 6,
            grey ? 16 + ColorBarWidth + 6 + SvgDocument.TextWidth("no value", TickFontSize) + 8 : 0);
        double cellWidth = (chart.Width - left - right) / Math.Max(1, columns);
        CategoryLabels xLayout = CategoryLayout(chart.XLabels, cellWidth);
        left = LeftForLabels(left, xLayout, cellWidth);
        double plotWidth = chart.Width - left - right;
        cellWidth = plotWidth / Math.Max(1, columns);
        xLayout = CategoryLayout(chart.XLabels, cellWidth);
        double titleBand = chart.XAxisTitle.Length > 0 ? 24 : 0;

        // The printed values share one font size: the largest (up to 12) at which the longest fits every cell.
        int longest = finite.Select(v => FixedDecimals(v, chart.Decimals).Length).DefaultIfEmpty(1).Max();
        double plotHeight = chart.Height - top - xLayout.Depth - titleBand - 14 - (LineHeight * notes.Count);
        double cellHeight = plotHeight / Math.Max(1, rows);
        double valueFont = Math.Min(12, Math.Min(cellHeight * 0.5, (cellWidth - 6) / (longest * SvgDocument.GlyphWidth)));
        if (valueFont < 7 && finite.Count > 0)
        {
            notes.Add("values not printed: the cells are too small for legible text");
            plotHeight -= LineHeight;
            cellHeight = plotHeight / Math.Max(1, rows);
        }

        var area = new PlotArea(left, top, left + plotWidth, top + plotHeight);
        var svg = new SvgDocument(chart.Width, chart.Height, chart.Title);
        WriteTitle(svg, chart.Title, chart.Width);
        if (rows == 0 || columns == 0)
        {
            svg.Rect(area.Left, area.Top, area.Width, area.Height, $"fill=\"none\" stroke=\"{GridColor}\"");
        }

        svg.Open("class=\"cells\" stroke=\"#ffffff\" stroke-width=\"1\"");
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                double v = chart.Values[r][c];
                string fill = Coloured(v) ? ChartPalette.Sequential(ColorFraction(colors!, v)) : ChartPalette.NoValue;
                svg.Rect(area.Left + (c * cellWidth), area.Top + (r * cellHeight), cellWidth, cellHeight, $"fill=\"{fill}\"");
            }
        }

        svg.Close();
        if (valueFont >= 7 && finite.Count > 0)
        {
            svg.Open($"class=\"values\" font-size=\"{SvgDocument.N(valueFont)}\" text-anchor=\"middle\"");
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    double v = chart.Values[r][c];
                    if (double.IsFinite(v))
                    {
                        string ink = Coloured(v) && ChartPalette.IsDark(ColorFraction(colors!, v)) ? "#ffffff" : "#000000";
                        double baseline = area.Top + ((r + 0.5) * cellHeight) + (valueFont * 0.36);
                        svg.Text(area.Left + ((c + 0.5) * cellWidth), baseline, FixedDecimals(v, chart.Decimals), $"fill=\"{ink}\"");
                    }
                }
            }

            svg.Close();
        }

        if (finite.Count == 0)
        {
            WriteNoData(svg, area);
        }

        WriteCategoryLabels(svg, chart.XLabels, c => area.Left + ((c + 0.5) * cellWidth), area.Bottom, xLayout);
        int rowEvery = Math.Max(1, (int)Math.Ceiling(TickFontSize * 1.2 / Math.Max(cellHeight, 0.01)));
        svg.Open($"font-size=\"{SvgDocument.N(TickFontSize)}\" fill=\"{AxisColor}\"");
        for (int r = 0; r < rows; r += rowEvery)
        {
            double baseline = area.Top + ((r + 0.5) * cellHeight) + 4;
            svg.Text(area.Left - 8, baseline, SvgDocument.Shorten(chart.YLabels[r], CategoryMaxChars), "text-anchor=\"end\"", chart.YLabels[r]);
        }

        svg.Close();
        if (chart.XAxisTitle.Length > 0)
        {
            svg.Text((area.Left + area.Right) / 2, area.Bottom + xLayout.Depth + 22, chart.XAxisTitle, "text-anchor=\"middle\"");
        }

        if (chart.YAxisTitle.Length > 0)
        {
            svg.RotatedText(18, (area.Top + area.Bottom) / 2, -90, chart.YAxisTitle, "text-anchor=\"middle\"");
        }

        WriteColorBar(svg, colors, area, chart.ColorScaleTitle, barLabels, grey);
        WriteNotes(svg, notes, area.Left, chart.Height - 10 - (LineHeight * (notes.Count - 1)));
        return svg.Finish();
    }

    /// <summary>The colour scale: the fixed ends where given, else the data's ends exactly (not rounded out, so the
    /// whole colour range is used), ticks at 1-2-5 steps (or decades) inside.</summary>
    private static AxisScale ColorScale(List<double> values, double? fixedMin, double? fixedMax, bool log)
    {
        double lo = fixedMin is { } a && (!log || a > 0) ? a : values.Min();
        double hi = fixedMax is { } b && (!log || b > 0) ? b : values.Max();
        if (log)
        {
            return hi > lo ? AxisScale.Log(lo, hi, 5, lo, hi) : AxisScale.Log(lo, lo, 5);
        }

        return hi > lo ? AxisScale.Linear(lo, hi, 5, lo, hi) : AxisScale.Linear(lo, lo, 4);
    }

    /// <summary><paramref name="value"/> with exactly <paramref name="decimals"/> decimals, invariant, never <c>-0.00</c>.</summary>
    private static string FixedDecimals(double value, int decimals)
    {
        double rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        return (rounded == 0 ? 0 : rounded).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static double ColorFraction(AxisScale colors, double value) => Math.Clamp(colors.Fraction(value), 0, 1);

    private static void WriteColorBar(SvgDocument svg, AxisScale? colors, PlotArea area, string title, double labelWidth, bool grey)
    {
        double x = area.Right + 16;
        if (colors is not null)
        {
            double height = area.Height;
            double slice = height / ColorBarSlices;
            svg.Open("class=\"color-scale\"");

            // Slices with crisp edges, each overlapping the next by half a pixel, so no seam shows between them.
            svg.Open("shape-rendering=\"crispEdges\"");
            for (int i = 0; i < ColorBarSlices; i++)
            {
                double y = area.Bottom - ((i + 1) * slice);
                double overlap = i + 1 < ColorBarSlices ? 0.5 : 0;
                svg.Rect(x, y - overlap, ColorBarWidth, slice + overlap, $"fill=\"{ChartPalette.Sequential((i + 0.5) / ColorBarSlices)}\"");
            }

            svg.Close();
            svg.Rect(x, area.Top, ColorBarWidth, height, $"fill=\"none\" stroke=\"{AxisColor}\" stroke-width=\"0.5\"");
            List<AxisTick> labels = VisibleLabels(colors.Ticks, colors, height, _ => TickFontSize);
            foreach (AxisTick tick in labels)
            {
                double y = area.Bottom - (colors.Fraction(tick.Value) * height);
                svg.Line(x + ColorBarWidth, y, x + ColorBarWidth + 4, y, $"stroke=\"{AxisColor}\"");
                svg.Text(x + ColorBarWidth + 6, y + 4, tick.Label, $"font-size=\"{SvgDocument.N(TickFontSize)}\" fill=\"{AxisColor}\"");
            }

            if (title.Length > 0)
            {
                svg.RotatedText(x + ColorBarWidth + 6 + labelWidth + 18, (area.Top + area.Bottom) / 2, -90, title, "text-anchor=\"middle\"");
            }

            svg.Close();
        }

        if (grey)
        {
            svg.Rect(x, area.Bottom + 8, ColorBarWidth, 12, $"fill=\"{ChartPalette.NoValue}\"");
            svg.Text(x + ColorBarWidth + 6, area.Bottom + 18, "no value", $"font-size=\"{SvgDocument.N(TickFontSize)}\" fill=\"{AxisColor}\"");
        }
    }
}
