namespace LlmPlan.IO.Svg;

/// <summary>The stacked bar chart.</summary>
public static partial class SvgChartWriter
{
    /// <summary>Writes a stacked bar chart: one bar per category, its segments stacked from zero in the order given
    /// (negative values downward), the total above each bar, a legend of the segments.</summary>
    /// <param name="chart">The chart.</param>
    /// <returns>The SVG document, ending in a newline.</returns>
    /// <exception cref="ArgumentException">A segment does not have one value per category.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The size is under 200 × 150 pixels, or the decimals are not 0..10.</exception>
    public static string StackedBars(StackedBarChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(chart.Categories);
        ArgumentNullException.ThrowIfNull(chart.Segments);
        CheckSize(chart.Width, chart.Height);
        ArgumentOutOfRangeException.ThrowIfNegative(chart.TotalDecimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chart.TotalDecimals, 10);
        int categories = chart.Categories.Count;
        if (chart.Segments.Any(s => s is null || s.Values is null || s.Values.Count != categories))
        {
            throw new ArgumentException(Invariant.Text($"Every segment needs {categories} values, one per category."), nameof(chart));
        }

        double[] positive = new double[categories];
        double[] negative = new double[categories];
        bool[] any = new bool[categories];
        int notFinite = 0;
        foreach (BarSegment segment in chart.Segments)
        {
            for (int c = 0; c < categories; c++)
            {
                double v = segment.Values[c];
                if (!double.IsFinite(v) || Math.Abs(v) > AxisScale.Largest)
                {
                    notFinite++;
                    continue;
                }

                any[c] = true;
                if (v >= 0)
                {
                    positive[c] += v;
                }
                else
                {
                    negative[c] += v;
                }
            }
        }

        var notes = new List<string>();
        if (notFinite > 0)
        {
            notes.Add((notFinite == 1 ? "1 value" : Invariant.Text($"{notFinite} values")) + " not shown (NaN, infinite or beyond ±1e300)");
        }

        bool hasData = any.Any(a => a);
        double low = negative.DefaultIfEmpty(0).Min();
        double high = positive.DefaultIfEmpty(0).Max();
        var legend = chart.Segments.Select((s, i) => (s.Name, ChartPalette.Color(i), Swatch.Box)).Reverse().ToList();

        double top = chart.Title.Length > 0 ? 44 : 16;
        double right = legend.Count > 0 ? LegendWidth(legend.Select(e => e.Name), chart.Width) + 32 : 20;
        double titleBand = chart.XAxisTitle.Length > 0 ? 24 : 0;
        double below = titleBand + 14 + (LineHeight * notes.Count);

        // The value axis is scaled for the plot height under horizontal category labels (rotated ones only make the
        // plot shorter; labels that would then collide are dropped); its labels set the left margin, the margin the
        // slot width, the slot width whether category labels rotate, and a rotated first label may widen the margin.
        AxisScale y = BarScale(low, high, Math.Max(2, (int)((chart.Height - top - 18 - below) / 45)));
        double left = LeftMargin(y, chart.YAxisTitle);
        double slot = Math.Max(1, chart.Width - left - right) / Math.Max(1, categories);
        CategoryLabels xLayout = CategoryLayout(chart.Categories, slot);
        left = LeftForLabels(left, xLayout, slot);
        double plotWidth = chart.Width - left - right;
        slot = plotWidth / Math.Max(1, categories);
        xLayout = CategoryLayout(chart.Categories, slot);
        double plotHeight = chart.Height - top - xLayout.Depth - below;
        var area = new PlotArea(left, top, left + plotWidth, top + plotHeight);
        double Y(double v) => Math.Clamp(area.Bottom - (y.Fraction(v) * area.Height), -FarAway, FarAway);
        double barWidth = Math.Min(slot * 0.62, 80);

        var svg = new SvgDocument(chart.Width, chart.Height, chart.Title);
        WriteTitle(svg, chart.Title, chart.Width);
        WriteGrid(svg, area, null, y);
        svg.Open("class=\"bars\" stroke=\"#ffffff\" stroke-width=\"0.5\"");
        double[] up = new double[categories];
        double[] down = new double[categories];
        for (int s = 0; s < chart.Segments.Count; s++)
        {
            string color = ChartPalette.Color(s);
            for (int c = 0; c < categories; c++)
            {
                double v = chart.Segments[s].Values[c];
                if (!double.IsFinite(v) || Math.Abs(v) > AxisScale.Largest || v == 0)
                {
                    continue;
                }

                ref double from = ref v > 0 ? ref up[c] : ref down[c];
                double to = from + v;
                double x = area.Left + ((c + 0.5) * slot) - (barWidth / 2);
                svg.Rect(x, Math.Min(Y(from), Y(to)), barWidth, Math.Abs(Y(from) - Y(to)), $"fill=\"{color}\"");
                from = to;
            }
        }

        svg.Close();
        WriteAxes(svg, area, null, y);
        if (low < 0)
        {
            svg.Line(area.Left, Y(0), area.Right, Y(0), $"stroke=\"{AxisColor}\" stroke-width=\"1\"");
        }

        if (chart.ShowTotals && hasData)
        {
            svg.Open($"class=\"totals\" font-size=\"10\" text-anchor=\"middle\" fill=\"{AxisColor}\"");
            for (int c = 0; c < categories; c++)
            {
                if (any[c])
                {
                    svg.Text(area.Left + ((c + 0.5) * slot), Y(positive[c]) - 5, FixedDecimals(positive[c] + negative[c], chart.TotalDecimals), "");
                }
            }

            svg.Close();
        }

        if (!hasData)
        {
            WriteNoData(svg, area);
        }

        WriteCategoryLabels(svg, chart.Categories, c => area.Left + ((c + 0.5) * slot), area.Bottom, xLayout);
        if (chart.XAxisTitle.Length > 0)
        {
            svg.Text((area.Left + area.Right) / 2, area.Bottom + xLayout.Depth + 22, chart.XAxisTitle, "text-anchor=\"middle\"");
        }

        WriteAxisTitles(svg, area, "", chart.YAxisTitle);
        WriteLegend(svg, legend, area.Right + 16, area.Top + 8, chart.Width, chart.Height);
        WriteNotes(svg, notes, area.Left, chart.Height - 10 - (LineHeight * (notes.Count - 1)));
        return svg.Finish();
    }

    /// <summary>The value axis of stacked bars: from zero (or the lowest negative stack) to the highest stack.</summary>
    private static AxisScale BarScale(double low, double high, int maxIntervals) =>
        low < 0 ? AxisScale.Linear(low, high, maxIntervals) : AxisScale.Linear(0, high, maxIntervals, fixedMin: 0);
}
