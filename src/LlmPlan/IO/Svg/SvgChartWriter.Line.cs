namespace LlmPlan.IO.Svg;

/// <summary>The x-y chart: lines, markers or steps per series, the optional y = x reference and band.</summary>
public static partial class SvgChartWriter
{
    private enum PointState
    {
        Drawn,
        NotFinite,
        NotPositive,
        Extreme,
        Outside,
    }

    /// <summary>Writes an x-y chart: lines, markers (scatter) or steps per series, optionally with the reference
    /// line y = x and a shaded band around it.</summary>
    /// <param name="chart">The chart.</param>
    /// <returns>The SVG document, ending in a newline.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The size is under 200 × 150 pixels, or the band is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">An axis has fixed ends that are not finite or not in order.</exception>
    public static string Line(LineChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(chart.Series);
        ArgumentNullException.ThrowIfNull(chart.XAxis);
        ArgumentNullException.ThrowIfNull(chart.YAxis);
        CheckSize(chart.Width, chart.Height);
        if (chart.IdentityBand is { } band && !(band > 0 && band < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(chart), band, "IdentityBand is a fraction between 0 and 1 (exclusive).");
        }

        List<PointState[]> states = chart.Series
            .Select(s => s.Points.Select(p => Classify(p, chart.XAxis, chart.YAxis)).ToArray())
            .ToList();
        List<ChartPoint> visible = chart.Series.SelectMany((s, i) => s.Points.Where((_, j) => states[i][j] == PointState.Drawn)).ToList();
        List<string> notes = PointNotes(states.SelectMany(s => s).ToList());

        List<(string Name, string Color, Swatch Swatch)> legend = chart.Series
            .Select((s, i) => (s.Name, ChartPalette.Color(i), s.Style switch { SeriesStyle.Markers => Swatch.Marker, SeriesStyle.Steps => Swatch.Steps, _ => Swatch.Line }))
            .ToList();
        if (chart.IdentityBand is { } fraction)
        {
            legend.Add(("±" + CsvWriter.Number(fraction * 100, 1) + "% of y = x", "#999999", Swatch.Band));
        }

        if (chart.IdentityLine)
        {
            legend.Add(("y = x", ReferenceColor, Swatch.Dashed));
        }

        double top = chart.Title.Length > 0 ? 44 : 16;
        double bottom = BelowAxis(chart.XAxis.Title) + (LineHeight * notes.Count) + 14;
        double plotHeight = chart.Height - top - bottom;
        AxisScale y = AxisScale.For(chart.YAxis, Min(visible, p => p.Y), Max(visible, p => p.Y), Math.Max(2, (int)(plotHeight / 45)));
        double left = LeftMargin(y, chart.YAxis.Title);
        double right = legend.Count > 0 ? LegendWidth(legend.Select(e => e.Name), chart.Width) + 32 : 28;
        double plotWidth = chart.Width - left - right;
        AxisScale x = AxisScale.For(chart.XAxis, Min(visible, p => p.X), Max(visible, p => p.X), Math.Max(2, (int)(plotWidth / 90)));
        var area = new PlotArea(left, top, left + plotWidth, top + plotHeight);
        Pixel ToPixel(double vx, double vy) => new(
            Math.Clamp(area.Left + (x.Fraction(vx) * area.Width), -FarAway, FarAway),
            Math.Clamp(area.Bottom - (y.Fraction(vy) * area.Height), -FarAway, FarAway));

        var svg = new SvgDocument(chart.Width, chart.Height, chart.Title);
        WriteTitle(svg, chart.Title, chart.Width);
        WriteGrid(svg, area, x, y);
        WriteReference(svg, area, x, y, chart.IdentityLine, chart.IdentityBand, ToPixel);
        WriteAxes(svg, area, x, y);
        for (int i = 0; i < chart.Series.Count; i++)
        {
            WriteSeries(svg, chart.Series[i], states[i], ChartPalette.Color(i), area, ToPixel);
        }

        if (visible.Count == 0)
        {
            WriteNoData(svg, area);
        }

        WriteAxisTitles(svg, area, chart.XAxis.Title, chart.YAxis.Title);
        WriteLegend(svg, legend, area.Right + 16, area.Top + 8, chart.Width, chart.Height);
        WriteNotes(svg, notes, area.Left, area.Bottom + BelowAxis(chart.XAxis.Title) + LineHeight);
        return svg.Finish();
    }

    private static PointState Classify(ChartPoint p, AxisSpec xAxis, AxisSpec yAxis)
    {
        if (!double.IsFinite(p.X) || !double.IsFinite(p.Y))
        {
            return PointState.NotFinite;
        }

        if ((xAxis.Logarithmic && p.X <= 0) || (yAxis.Logarithmic && p.Y <= 0))
        {
            return PointState.NotPositive;
        }

        if (Extreme(p.X, xAxis.Logarithmic) || Extreme(p.Y, yAxis.Logarithmic))
        {
            return PointState.Extreme;
        }

        return Outside(p.X, xAxis) || Outside(p.Y, yAxis) ? PointState.Outside : PointState.Drawn;
    }

    /// <summary>Whether <paramref name="value"/> is too large (or, on a logarithmic axis, too small) for an axis to reach.</summary>
    private static bool Extreme(double value, bool logarithmic) =>
        Math.Abs(value) > AxisScale.Largest || (logarithmic && value < AxisScale.Smallest);

    /// <summary>Whether <paramref name="value"/> lies beyond a fixed end of <paramref name="axis"/> (ends at or
    /// below zero on a logarithmic axis do not count, as <see cref="AxisScale.Log"/> ignores them).</summary>
    private static bool Outside(double value, AxisSpec axis) =>
        (axis.Min is { } min && (!axis.Logarithmic || min > 0) && value < min)
        || (axis.Max is { } max && (!axis.Logarithmic || max > 0) && value > max);

    private static List<string> PointNotes(IReadOnlyCollection<PointState> states)
    {
        var notes = new List<string>();
        int notPositive = states.Count(s => s == PointState.NotPositive);
        int notFinite = states.Count(s => s == PointState.NotFinite);
        int outside = states.Count(s => s == PointState.Outside);
        int extreme = states.Count(s => s == PointState.Extreme);
        if (notPositive > 0)
        {
            notes.Add(Points(notPositive) + " ≤ 0 not shown (logarithmic axis)");
        }

        if (notFinite > 0)
        {
            notes.Add(Points(notFinite) + " with NaN or infinite values not shown");
        }

        if (extreme > 0)
        {
            notes.Add(Points(extreme) + " beyond ±1e300 (or under 1e-300 on a logarithmic axis) not shown");
        }

        if (outside > 0)
        {
            notes.Add(Points(outside) + " beyond the fixed axis range not shown");
        }

        return notes;
    }

    private static string Points(int count) => count == 1 ? "1 point" : Invariant.Text($"{count} points");

    private static double Min(IReadOnlyCollection<ChartPoint> points, Func<ChartPoint, double> value) =>
        points.Count > 0 ? points.Min(value) : double.NaN;

    private static double Max(IReadOnlyCollection<ChartPoint> points, Func<ChartPoint, double> value) =>
        points.Count > 0 ? points.Max(value) : double.NaN;

    private static void WriteReference(SvgDocument svg, PlotArea area, AxisScale x, AxisScale y, bool line, double? band, Func<double, double, Pixel> toPixel)
    {
        if (!line && band is null)
        {
            return;
        }

        int samples = x.Logarithmic == y.Logarithmic ? 1 : 48;
        List<double> xs = Enumerable.Range(0, samples + 1)
            .Select(i => (double)i / samples)
            .Select(t => x.Logarithmic ? Math.Pow(10, Math.Log10(x.Min) + ((Math.Log10(x.Max) - Math.Log10(x.Min)) * t)) : x.Min + ((x.Max - x.Min) * t))
            .ToList();
        List<Pixel> Along(double factor) => xs
            .Where(v => !y.Logarithmic || v * factor > 0)
            .Select(v => toPixel(v, v * factor))
            .ToList();

        if (band is { } f)
        {
            List<Pixel> polygon = [.. Along(1 - f), .. Enumerable.Reverse(Along(1 + f))];
            List<Pixel> clipped = Clipping.Polygon(polygon, area);
            if (clipped.Count > 0)
            {
                svg.Polygon(clipped, "fill=\"#999999\" fill-opacity=\"0.2\" stroke=\"none\"");
            }
        }

        if (line)
        {
            foreach (List<Pixel> piece in Clipping.Polyline(Along(1), area))
            {
                svg.Polyline(piece, $"fill=\"none\" stroke=\"{ReferenceColor}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
            }
        }
    }

    private static void WriteSeries(SvgDocument svg, ChartSeries series, PointState[] states, string color, PlotArea area, Func<double, double, Pixel> toPixel)
    {
        svg.Open("class=\"series\"");
        if (series.Style != SeriesStyle.Markers)
        {
            // Runs of points a line may join: a NaN, infinite or non-positive-on-log point breaks the line.
            var run = new List<ChartPoint>();
            var runs = new List<List<ChartPoint>> { run };
            for (int i = 0; i < series.Points.Count; i++)
            {
                if (states[i] is PointState.Drawn or PointState.Outside)
                {
                    run.Add(series.Points[i]);
                }
                else if (run.Count > 0)
                {
                    run = [];
                    runs.Add(run);
                }
            }

            foreach (List<ChartPoint> points in runs.Where(r => r.Count > 1))
            {
                List<Pixel> pixels = (series.Style == SeriesStyle.Steps ? StepPoints(points) : points)
                    .Select(p => toPixel(p.X, p.Y))
                    .ToList();
                foreach (List<Pixel> piece in Clipping.Polyline(pixels, area))
                {
                    svg.Polyline(piece, $"fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\"");
                }
            }
        }

        string marker = series.Style == SeriesStyle.Markers
            ? $"fill=\"{color}\" fill-opacity=\"0.85\" stroke=\"#ffffff\" stroke-width=\"0.75\""
            : $"fill=\"{color}\"";
        double radius = series.Style == SeriesStyle.Markers ? 4 : 3;
        for (int i = 0; i < series.Points.Count; i++)
        {
            if (states[i] == PointState.Drawn)
            {
                Pixel p = toPixel(series.Points[i].X, series.Points[i].Y);
                svg.Circle(p.X, p.Y, radius, marker);
            }
        }

        svg.Close();
    }

    /// <summary>The corners of a step-after line through <paramref name="points"/>: horizontal, then vertical.</summary>
    private static List<ChartPoint> StepPoints(List<ChartPoint> points)
    {
        var corners = new List<ChartPoint> { points[0] };
        for (int i = 1; i < points.Count; i++)
        {
            corners.Add(new ChartPoint(points[i].X, points[i - 1].Y));
            corners.Add(points[i]);
        }

        return corners;
    }
}
