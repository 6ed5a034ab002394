using System.Globalization;
using System.Xml.Linq;
using LlmPlan.IO.Svg;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.IO.Svg;

public class SvgChartWriterTests
{
    private static readonly XNamespace Ns = "http://www.w3.org/2000/svg";

    public static TheoryData<string> SampleNames => new(SampleCharts.All().Select(c => c.Name));

    private static string Sample(string name) => SampleCharts.All().Single(c => c.Name == name).Svg;

    private static List<XElement> Elements(string svg, string name) => XDocument.Parse(svg).Descendants(Ns + name).ToList();

    private static List<string> Texts(string svg) => Elements(svg, "text").Select(t => t.Nodes().OfType<XText>().Select(x => x.Value).LastOrDefault() ?? "").ToList();

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Should_match_the_golden_file_When_a_sample_chart_is_written(string name)
    {
        // Given one of the sample charts, When it is written, Then the SVG matches its golden file byte for byte.
        Golden.Verify("Svg", name, "svg", Sample(name));
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Should_be_well_formed_svg_When_a_sample_chart_is_written(string name)
    {
        // Given one of the sample charts
        // When it is written
        string svg = Sample(name);

        // Then it parses as XML with an svg root whose view box is its size, uses \n line ends only and ends in a newline.
        XElement root = XDocument.Parse(svg).Root!;
        Assert.Equal(Ns + "svg", root.Name);
        string width = root.Attribute("width")!.Value;
        string height = root.Attribute("height")!.Value;
        Assert.Equal($"0 0 {width} {height}", root.Attribute("viewBox")!.Value);
        Assert.DoesNotContain('\r', svg);
        Assert.EndsWith("</svg>\n", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_write_the_same_bytes_When_the_current_culture_is_german()
    {
        // Given the samples written under the invariant culture
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        List<(string Name, string Svg)> invariant = SampleCharts.All().ToList();
        try
        {
            // When they are written again under de-DE (comma decimals, dot thousands)
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            List<(string Name, string Svg)> german = SampleCharts.All().ToList();

            // Then every byte is the same
            Assert.Equal(invariant, german);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Should_write_the_same_bytes_When_a_chart_is_written_twice()
    {
        // Given the samples, When written twice, Then the outputs are identical (no timestamps, no random ids).
        Assert.Equal(SampleCharts.All().ToList(), SampleCharts.All().ToList());
    }

    [Theory]
    [InlineData(0, 37, 5, new[] { 0.0, 10, 20, 30, 40 }, new[] { "0", "10", "20", "30", "40" })]
    [InlineData(0, 37, 8, new[] { 0.0, 5, 10, 15, 20, 25, 30, 35, 40 }, new[] { "0", "5", "10", "15", "20", "25", "30", "35", "40" })]
    [InlineData(-3.2, 7.9, 6, new[] { -4.0, -2, 0, 2, 4, 6, 8 }, new[] { "-4", "-2", "0", "2", "4", "6", "8" })]
    [InlineData(0.013, 0.087, 4, new[] { 0.0, 0.05, 0.1 }, new[] { "0.00", "0.05", "0.10" })]
    [InlineData(1200, 7300, 6, new[] { 0.0, 2000, 4000, 6000, 8000 }, new[] { "0", "2,000", "4,000", "6,000", "8,000" })]
    [InlineData(5, 5, 4, new[] { 4.5, 5, 5.5 }, new[] { "4.5", "5.0", "5.5" })]
    [InlineData(double.NaN, double.NaN, 5, new[] { 0.0, 0.2, 0.4, 0.6, 0.8, 1 }, new[] { "0.0", "0.2", "0.4", "0.6", "0.8", "1.0" })]
    [InlineData(0, 3_000_000, 4, new[] { 0.0, 1e6, 2e6, 3e6 }, new[] { "0", "1e6", "2e6", "3e6" })]
    public void Should_step_by_1_2_or_5_When_a_linear_axis_is_scaled(double min, double max, int intervals, double[] ticks, string[] labels)
    {
        // Given data from min to max (NaN: no data; equal ends: widened by 10 %) and at most `intervals` steps
        // When the axis is scaled
        AxisScale scale = AxisScale.Linear(min, max, intervals);

        // Then the smallest 1-2-5 step that fits, ends rounded out to a tick, labels with the step's decimals.
        Assert.Equal(ticks, scale.Ticks.Select(t => t.Value));
        Assert.Equal(labels, scale.Ticks.Select(t => t.Label));
        Assert.All(scale.Ticks, t => Assert.True(t.Major));
        Assert.Equal((ticks[0], ticks[^1]), (scale.Min, scale.Max));
    }

    [Fact]
    public void Should_keep_the_fixed_ends_When_an_axis_has_min_and_max()
    {
        // Given data 3..37 on an axis fixed to 0..37
        // When the axis is scaled
        AxisScale scale = AxisScale.For(new AxisSpec("x", Min: 0, Max: 37), 3, 37, 5);

        // Then the ends are exactly 0 and 37 and only the ticks inside are drawn
        Assert.Equal((0.0, 37.0), (scale.Min, scale.Max));
        Assert.Equal([0.0, 10, 20, 30], scale.Ticks.Select(t => t.Value));
    }

    [Fact]
    public void Should_use_whole_decades_When_a_log_axis_spans_several()
    {
        // Given data 0.3..2000 on a log axis (five decades once rounded out)
        // When scaled
        AxisScale scale = AxisScale.Log(0.3, 2000, 8);

        // Then the ends are 0.1 and 10000, every decade is a labelled major tick, 2..9 × 10ⁿ are unlabelled minor ticks.
        Assert.Equal((0.1, 10000.0), (scale.Min, scale.Max));
        Assert.Equal([0.1, 1, 10, 100, 1000, 10000], scale.Ticks.Where(t => t.Major).Select(t => t.Value));
        Assert.Equal(["0.1", "1", "10", "100", "1,000", "10,000"], scale.Ticks.Where(t => t.Label.Length > 0).Select(t => t.Label));
        Assert.Equal(5 * 8, scale.Ticks.Count(t => !t.Major));
        Assert.Equal(0.4, scale.Fraction(10), 12);
    }

    [Fact]
    public void Should_label_2_and_5_When_a_log_axis_spans_few_decades()
    {
        // Given data 2..80 (two decades)
        // When scaled
        AxisScale scale = AxisScale.Log(2, 80, 8);

        // Then 1, 2, 5 of each decade are labelled
        Assert.Equal((1.0, 100.0), (scale.Min, scale.Max));
        Assert.Equal(["1", "2", "5", "10", "20", "50", "100"], scale.Ticks.Where(t => t.Label.Length > 0).Select(t => t.Label));
    }

    [Fact]
    public void Should_label_every_other_decade_When_a_log_axis_spans_more_decades_than_fit()
    {
        // Given data over 12 decades and room for 6 labels
        // When scaled
        AxisScale scale = AxisScale.Log(1e-3, 1e9, 6);

        // Then every decade is a tick, with no minor ticks; the decades with an even exponent are labelled.
        Assert.Equal(13, scale.Ticks.Count);
        Assert.All(scale.Ticks, t => Assert.True(t.Major));
        Assert.Equal(["0.01", "1", "100", "10,000", "1e6", "1e8"], scale.Ticks.Where(t => t.Label.Length > 0).Select(t => t.Label));
    }

    [Fact]
    public void Should_keep_fixed_ends_and_ignore_non_positive_ones_When_a_log_axis_is_fixed()
    {
        // Given a log axis fixed to 2..9, and one whose fixed Min is 0
        AxisScale fixedBoth = AxisScale.For(new AxisSpec("x", Logarithmic: true, Min: 2, Max: 9), 3, 8, 5);
        AxisScale zeroMin = AxisScale.For(new AxisSpec("x", Logarithmic: true, Min: 0), 3, 80, 5);

        // Then the first keeps its ends with 2..9 as ticks, 2 and 5 labelled; the second rounds the data out instead.
        Assert.Equal((2.0, 9.0), (fixedBoth.Min, fixedBoth.Max));
        Assert.Equal([2.0, 3, 4, 5, 6, 7, 8, 9], fixedBoth.Ticks.Select(t => t.Value));
        Assert.Equal(["2", "5"], fixedBoth.Ticks.Where(t => t.Label.Length > 0).Select(t => t.Label));
        Assert.Equal((1.0, 100.0), (zeroMin.Min, zeroMin.Max));
    }

    [Theory]
    [InlineData(2_500_000, 0, true, "2.5e6")]
    [InlineData(0.0005, 4, false, "5e-4")]
    [InlineData(1234.5, 1, false, "1,234.5")]
    [InlineData(-0.001, 2, false, "0.00")]
    [InlineData(0, 1, false, "0.0")]
    [InlineData(0, 0, true, "0")]
    [InlineData(-12, 0, false, "-12")]
    public void Should_format_invariant_tick_labels_When_a_tick_is_labelled(double value, int decimals, bool scientific, string expected)
    {
        // Given a tick value, When formatted, Then invariant text with grouped thousands or a short exponent.
        Assert.Equal(expected, AxisScale.FormatTick(value, decimals, scientific));
    }

    [Fact]
    public void Should_escape_markup_When_titles_and_names_hold_xml_characters()
    {
        // Given a title, axis titles and a series name with &, <, >, quotes and a control character
        const string Nasty = "Cost & <throughput> \"quoted\" 'single'";
        var chart = new LineChart
        {
            Title = Nasty,
            XAxis = new AxisSpec("x <in>"),
            YAxis = new AxisSpec("y & z"),
            Series = [new ChartSeries("A & <b> \"c\" 'd'\u0001", [new(1, 2), new(2, 3)])],
        };

        // When written
        string svg = SvgChartWriter.Line(chart);

        // Then the text is escaped, the document parses, and the parsed text is the original (the control character replaced).
        Assert.Contains("Cost &amp; &lt;throughput&gt; &quot;quoted&quot; &apos;single&apos;", svg, StringComparison.Ordinal);
        XDocument doc = XDocument.Parse(svg);
        Assert.Equal(Nasty, doc.Root!.Element(Ns + "title")!.Value);
        List<string> texts = Texts(svg);
        Assert.Contains("x <in>", texts);
        Assert.Contains("y & z", texts);
        Assert.Contains("A & <b> \"c\" 'd'\uFFFD", texts);
    }

    [Fact]
    public void Should_skip_and_count_points_When_a_log_axis_gets_non_positive_or_nan_values()
    {
        // Given a log-log series with x = 0, y = -1, y = 0 and a NaN among seven points
        // When written
        string svg = Sample("log-axis-skipped-points");

        // Then the three non-positive and the NaN point are noted, three markers are drawn and the line breaks at the gap.
        List<string> texts = Texts(svg);
        Assert.Contains("3 points ≤ 0 not shown (logarithmic axis)", texts);
        Assert.Contains("1 point with NaN or infinite values not shown", texts);
        XElement series = Elements(svg, "g").Single(g => (string?)g.Attribute("class") == "series");
        Assert.Equal(3, series.Elements(Ns + "circle").Count());
        Assert.Single(series.Elements(Ns + "polyline"));
        Assert.DoesNotContain("NaN", svg.Replace("with NaN or", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_draw_axes_and_say_no_data_When_there_are_no_series()
    {
        // Given a chart without series, When written, Then axes with 0..1 ticks, no legend, and "no data".
        string svg = Sample("empty");
        List<string> texts = Texts(svg);
        Assert.Contains("no data", texts);
        Assert.Contains("1.0", texts);
        Assert.DoesNotContain(Elements(svg, "g"), g => (string?)g.Attribute("class") == "legend");
    }

    [Fact]
    public void Should_say_no_data_When_every_point_is_nan_or_infinite()
    {
        // Given one series whose points are all non-finite
        var chart = new LineChart
        {
            XAxis = new AxisSpec("x", Logarithmic: true),
            YAxis = new AxisSpec("y"),
            Series = [new ChartSeries("s", [new(double.NaN, 1), new(1, double.PositiveInfinity), new(double.NegativeInfinity, 2)])],
        };

        // When written
        string svg = SvgChartWriter.Line(chart);

        // Then no marker, "no data", the count noted, the legend still lists the series
        Assert.DoesNotContain(Elements(svg, "circle"), c => c.Parent?.Attribute("class")?.Value == "series");
        Assert.Contains("no data", Texts(svg));
        Assert.Contains("3 points with NaN or infinite values not shown", Texts(svg));
        Assert.Contains("s", Texts(svg));
    }

    [Fact]
    public void Should_note_and_clip_points_When_they_lie_beyond_a_fixed_axis_end()
    {
        // Given an axis fixed to 0..10 and a line through (5, 5), (20, 5), (8, 8)
        var chart = new LineChart
        {
            XAxis = new AxisSpec("x", Min: 0, Max: 10),
            YAxis = new AxisSpec("y", Min: 0, Max: 10),
            Series = [new ChartSeries("s", [new(5, 5), new(20, 5), new(8, 8)])],
        };

        // When written
        string svg = SvgChartWriter.Line(chart);

        // Then two markers, the outside point noted, and the line clipped at the right edge into two pieces
        XElement series = Elements(svg, "g").Single(g => (string?)g.Attribute("class") == "series");
        Assert.Equal(2, series.Elements(Ns + "circle").Count());
        Assert.Equal(2, series.Elements(Ns + "polyline").Count());
        Assert.Contains("1 point beyond the fixed axis range not shown", Texts(svg));
        double right = series.Elements(Ns + "polyline")
            .SelectMany(p => p.Attribute("points")!.Value.Split(' '))
            .Max(p => double.Parse(p.Split(',')[0], CultureInfo.InvariantCulture));
        XElement xAxis = Elements(svg, "g").First(g => (string?)g.Attribute("stroke") == "#333333").Element(Ns + "line")!;
        double axisRight = double.Parse(xAxis.Attribute("x2")!.Value, CultureInfo.InvariantCulture);
        Assert.Equal(axisRight, right, 2);
    }

    [Fact]
    public void Should_colour_series_in_palette_order_When_there_are_several()
    {
        // Given the fleet cost chart with three series, When written
        string svg = Sample("fleet-cost-vs-rate");

        // Then the lines take the first three Okabe–Ito colours in order
        List<string> strokes = Elements(svg, "g").Where(g => (string?)g.Attribute("class") == "series")
            .Select(g => g.Element(Ns + "polyline")!.Attribute("stroke")!.Value)
            .ToList();
        Assert.Equal(["#0072b2", "#e69f00", "#009e73"], strokes);
        Assert.Equal("#0072b2", ChartPalette.Color(8));
    }

    [Fact]
    public void Should_reject_the_band_When_it_is_not_a_fraction()
    {
        // Given a band of 1.5, When written, Then ArgumentOutOfRangeException.
        var chart = SampleCharts.PredictedVsMeasured with { IdentityBand = 1.5 };
        Assert.Throws<ArgumentOutOfRangeException>(() => SvgChartWriter.Line(chart));
    }

    [Fact]
    public void Should_print_each_value_and_grey_the_missing_cells_When_a_heatmap_is_written()
    {
        // Given the heatmap sample with three NaN cells, and the same with one decimal
        string svg = Sample("heatmap");
        string oneDecimal = SvgChartWriter.Heatmap(SampleCharts.Heatmap with { Decimals = 1 });

        // Then 17 values printed with two decimals (one decimal in the second), 3 grey cells, a "no value" key
        XElement values = Elements(svg, "g").Single(g => (string?)g.Attribute("class") == "values");
        Assert.Equal(17, values.Elements(Ns + "text").Count());
        Assert.Contains("41.27", values.Elements(Ns + "text").Select(t => t.Value));
        Assert.Contains("0.05", values.Elements(Ns + "text").Select(t => t.Value));
        Assert.Contains("41.3", Texts(oneDecimal));
        Assert.Equal(3, Elements(svg, "rect").Count(r => (string?)r.Attribute("fill") == ChartPalette.NoValue) - 1);
        Assert.Contains("no value", Texts(svg));
    }

    [Fact]
    public void Should_throw_When_heatmap_values_do_not_match_the_labels()
    {
        // Given two labelled rows but one row of values, When written, Then ArgumentException.
        var chart = new HeatmapChart { XLabels = ["a", "b"], YLabels = ["r1", "r2"], Values = [[1.0, 2.0]] };
        Assert.Throws<ArgumentException>(() => SvgChartWriter.Heatmap(chart));
    }

    [Fact]
    public void Should_say_no_data_When_a_heatmap_has_no_cells()
    {
        // Given an empty grid, When written, Then a parseable SVG that says "no data".
        string svg = SvgChartWriter.Heatmap(new HeatmapChart { Title = "empty", XLabels = [], YLabels = [], Values = [] });
        Assert.Contains("no data", Texts(svg));
    }

    [Fact]
    public void Should_stack_segments_and_print_totals_When_stacked_bars_are_written()
    {
        // Given the cost bars sample, When written
        string svg = Sample("stacked-bars");

        // Then 15 segment rectangles, the totals above the bars, the legend top to bottom as stacked
        XElement bars = Elements(svg, "g").Single(g => (string?)g.Attribute("class") == "bars");
        Assert.Equal(15, bars.Elements(Ns + "rect").Count());
        XElement totals = Elements(svg, "g").Single(g => (string?)g.Attribute("class") == "totals");
        Assert.Equal(["42.20", "84.40", "35.60", "9.00", "27.00"], totals.Elements(Ns + "text").Select(t => t.Value));
        XElement legend = Elements(svg, "g").Single(g => (string?)g.Attribute("class") == "legend");
        Assert.Equal(["network", "CPU and memory", "GPUs"], legend.Elements(Ns + "text").Select(t => t.Value));
    }

    [Fact]
    public void Should_note_skipped_values_When_a_bar_segment_is_nan()
    {
        // Given the rotated-labels sample with one NaN, When written, Then the note counts it and 27 segments remain.
        string svg = Sample("stacked-bars-rotated-labels");
        Assert.Contains("1 value not shown (NaN, infinite or beyond ±1e300)", Texts(svg));
        XElement bars = Elements(svg, "g").Single(g => (string?)g.Attribute("class") == "bars");
        Assert.Equal(27, bars.Elements(Ns + "rect").Count());
    }

    [Fact]
    public void Should_throw_When_a_segment_has_the_wrong_number_of_values()
    {
        // Given two categories and a segment with one value, When written, Then ArgumentException.
        var chart = new StackedBarChart { Categories = ["a", "b"], Segments = [new BarSegment("s", [1.0])] };
        Assert.Throws<ArgumentException>(() => SvgChartWriter.StackedBars(chart));
    }
}
