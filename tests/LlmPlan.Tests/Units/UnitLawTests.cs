using LlmPlan.Units;

namespace LlmPlan.Tests.Units;

/// <summary>Laws every quantity obeys (NodaTime-style law checks), run for each unit type, plus the cross-unit physics.</summary>
public class UnitLawTests
{
    /// <summary>Equal up to floating-point rounding, relative to the operands' size.</summary>
    private static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1.0, Math.Max(Math.Abs(expected), Math.Abs(actual))) * 1e3, $"{expected} != {actual}");

    private static void CheckLaws<T>(Func<double, T> make)
        where T : struct, IQuantity<T>
    {
        var random = new Random(12345);
        for (int i = 0; i < 200; i++)
        {
            T a = make((random.NextDouble() * 2000) - 1000);
            T b = make((random.NextDouble() * 2000) - 1000);
            T c = make((random.NextDouble() * 2000) - 1000);

            // Given any three quantities, When combined, Then the group and order laws hold.
            Assert.Equal(a + b, b + a);
            Close(((a + b) + c).Value, (a + (b + c)).Value);
            Assert.Equal(a, a + default(T));
            Close((a + b - b).Value, a.Value);
            Assert.Equal(default(T), a - a);
            Assert.Equal(-a, default(T) - a);
            Close((a * 2.0).Value, (a + a).Value);
            Assert.Equal(a < b, b > a);
            Assert.Equal(a <= b, !(a > b));
            Assert.Equal(Math.Sign(a.Value.CompareTo(b.Value)), Math.Sign(a.CompareTo(b)));
            if (b.Value != 0)
            {
                Close(a.Value / b.Value, a / b);
            }
        }

        Assert.Equal(0.0, default(T).Value);
        Assert.Equal(make(6), new[] { make(1), make(2), make(3) }.Total());
    }

    [Fact]
    public void Should_obey_the_group_and_order_laws_When_any_unit_is_combined_with_itself()
    {
        CheckLaws(Bytes.FromBytes);
        CheckLaws(Seconds.FromSeconds);
        CheckLaws(Flops.FromOperations);
        CheckLaws(v => FlopsPerSecond.FromTeraflops(v));
        CheckLaws(BytesPerSecond.FromBytesPerSecond);
        CheckLaws(Tokens.FromCount);
        CheckLaws(TokensPerSecond.FromTokensPerSecond);
        CheckLaws(Dollars.FromDollars);
        CheckLaws(DollarsPerHour.FromDollarsPerHour);
        CheckLaws(DollarsPerMillionTokens.FromDollarsPerMillionTokens);
    }

    [Fact]
    public void Should_give_seconds_When_bytes_are_divided_by_a_bandwidth()
    {
        // Given 3 GB at 1.5 GB/s, When divided, Then 2 s; and the bandwidth times the time gives the bytes back.
        Seconds time = Bytes.FromGigabytes(3) / BytesPerSecond.FromGigabytesPerSecond(1.5);
        Assert.Equal(2.0, time.Value, 12);
        Assert.Equal(3e9, (BytesPerSecond.FromGigabytesPerSecond(1.5) * time).Value, 3);
        Assert.Equal(1.5e9, (Bytes.FromGigabytes(3) / time).Value, 3);
    }

    [Fact]
    public void Should_give_seconds_and_intensity_When_flops_are_divided()
    {
        // Given 989 TFLOP at 989 TFLOP/s, Then 1 s; 2e12 FLOP over 1e9 B is an intensity of 2000 FLOP/B.
        Assert.Equal(1.0, (Flops.FromOperations(989e12) / FlopsPerSecond.FromTeraflops(989)).Value, 12);
        Assert.Equal(2000.0, Flops.FromOperations(2e12) / Bytes.FromGigabytes(1), 9);
    }

    [Fact]
    public void Should_price_a_million_tokens_When_a_price_is_divided_by_a_token_rate()
    {
        // Given 3.6 $/h at 1000 tokens/s: 3.6M tokens per hour cost 3.6 $, so 1 $ per million tokens.
        DollarsPerMillionTokens unit = DollarsPerHour.FromDollarsPerHour(3.6) / TokensPerSecond.FromTokensPerSecond(1000);
        Assert.Equal(1.0, unit.Value, 12);

        // And 2 $/h for 90 minutes is 3 $.
        Assert.Equal(3.0, (DollarsPerHour.FromDollarsPerHour(2) * Seconds.FromHours(1.5)).Value, 12);
        Assert.Equal(0.5, (Tokens.FromCount(1) / TokensPerSecond.FromTokensPerSecond(2)).Value, 12);
    }

    [Fact]
    public void Should_convert_binary_and_decimal_sizes_When_created_from_either()
    {
        Assert.Equal(1073741824.0, Bytes.FromGibibytes(1).Value);
        Assert.Equal(1.0, Bytes.FromGigabytes(1).Gigabytes, 12);
        Assert.Equal(0.5, Seconds.FromMilliseconds(500).Value, 12);
        Assert.Equal(2e-6, Seconds.FromMicroseconds(2).Value, 15);
    }

    [Fact]
    public void Should_reject_non_finite_values_When_creating_a_quantity()
    {
        // Given NaN, When a quantity is made, Then the factory throws naming the unit.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Bytes.FromBytes(double.NaN));
        Assert.Equal("value", error.ParamName);
        Assert.StartsWith("A quantity in B must be a finite number; got NaN.", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Seconds.FromSeconds(double.PositiveInfinity));
    }

    [Fact]
    public void Should_format_with_the_invariant_culture_When_printed()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("1.5 s", Seconds.FromSeconds(1.5).ToString());
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }
}
