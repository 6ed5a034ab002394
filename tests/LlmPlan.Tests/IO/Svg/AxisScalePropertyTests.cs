using System.Globalization;
using System.Xml.Linq;
using LlmPlan.IO.Svg;

namespace LlmPlan.Tests.IO.Svg;

/// <summary>Seeded random checks of the tick rules and of the writer on hostile data.</summary>
public class AxisScalePropertyTests
{
    private static double RandomValue(Random random) =>
        Math.Round((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-6, 10)), random.Next(0, 8));

    [Fact]
    public void Should_cover_the_data_in_at_most_the_asked_intervals_When_any_linear_range_is_scaled()
    {
        // Given 5000 random ranges over 16 orders of magnitude and 2..10 intervals
        var random = new Random(20261201);
        for (int i = 0; i < 5000; i++)
        {
            double a = RandomValue(random);
            double b = random.Next(5) == 0 ? a : RandomValue(random);
            int intervals = random.Next(2, 11);

            // When scaled
            AxisScale scale = AxisScale.Linear(Math.Min(a, b), Math.Max(a, b), intervals);

            // Then the ends hold the data (to a millionth of a step) and are the first and last tick, the ticks are evenly spaced by 1, 2 or 5
            // × 10ⁿ, at most `intervals` apart, and their labels are distinct.
            string what = string.Create(CultureInfo.InvariantCulture, $"{Math.Min(a, b)}..{Math.Max(a, b)} in {intervals}");
            double tolerance = 1e-6 * (scale.Ticks[^1].Value - scale.Ticks[0].Value) / (scale.Ticks.Count - 1);
            Assert.True(scale.Min <= Math.Min(a, b) + tolerance && scale.Max >= Math.Max(a, b) - tolerance, what);
            Assert.Equal(scale.Min, scale.Ticks[0].Value);
            Assert.Equal(scale.Max, scale.Ticks[^1].Value);
            Assert.InRange(scale.Ticks.Count - 1, 1, intervals);
            double step = scale.Ticks[1].Value - scale.Ticks[0].Value;
            double mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9));
            Assert.True(new[] { 1.0, 2, 5 }.Any(m => Math.Abs(m - mantissa) < 1e-6), what + " step " + step.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(scale.Ticks.Count, scale.Ticks.Select(t => t.Label).Distinct().Count());
        }
    }

    [Fact]
    public void Should_round_out_to_decades_When_any_positive_range_is_scaled_logarithmically()
    {
        // Given 5000 random positive ranges
        var random = new Random(1201);
        for (int i = 0; i < 5000; i++)
        {
            double a = Math.Pow(10, (random.NextDouble() * 24) - 12);
            double b = random.Next(5) == 0 ? a : Math.Pow(10, (random.NextDouble() * 24) - 12);

            // When scaled
            AxisScale scale = AxisScale.Log(Math.Min(a, b), Math.Max(a, b), random.Next(2, 11));

            // Then the ends are decades around the data, every major tick is a decade, and some tick is labelled.
            Assert.True(scale.Min <= Math.Min(a, b) * (1 + 1e-12) && scale.Max >= Math.Max(a, b) * (1 - 1e-12));
            Assert.All(scale.Ticks.Where(t => t.Major), t => Assert.Equal(Math.Round(Math.Log10(t.Value)), Math.Log10(t.Value), 9));
            Assert.Contains(scale.Ticks, t => t.Label.Length > 0);
        }
    }

    [Fact]
    public void Should_write_well_formed_svg_without_nan_When_series_hold_hostile_values()
    {
        // Given 300 random charts whose points mix NaN, infinities, zeros, negatives, huge and tiny values
        var random = new Random(7);
        double[] hostile = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0, -1, 1e300, -1e300, 1e-300, double.Epsilon, double.MaxValue];
        double Pick() => random.Next(3) == 0 ? hostile[random.Next(hostile.Length)] : RandomValue(random);
        for (int i = 0; i < 300; i++)
        {
            var chart = new LineChart
            {
                Title = "fuzz",
                XAxis = new AxisSpec("x", Logarithmic: random.Next(2) == 0),
                YAxis = new AxisSpec("y", Logarithmic: random.Next(2) == 0),
                IdentityLine = random.Next(2) == 0,
                IdentityBand = random.Next(2) == 0 ? 0.25 : null,
                Series = Enumerable.Range(0, random.Next(0, 4))
                    .Select(s => new ChartSeries("s" + s.ToString(CultureInfo.InvariantCulture), Enumerable.Range(0, random.Next(0, 6)).Select(_ => new ChartPoint(Pick(), Pick())).ToList(), (SeriesStyle)random.Next(3)))
                    .ToList(),
            };

            // When written
            string svg = SvgChartWriter.Line(chart);

            // Then it parses and no number in it is NaN or infinite
            XDocument.Parse(svg);
            Assert.DoesNotContain("NaN\"", svg, StringComparison.Ordinal);
            Assert.DoesNotContain("Infinity", svg, StringComparison.Ordinal);
            Assert.DoesNotContain("∞", svg, StringComparison.Ordinal);
        }
    }
}
