using System.Globalization;

namespace LlmPlan.IO.Svg;

/// <summary>The fixed colours of the charts: the Okabe–Ito palette, safe for the common colour-vision deficiencies.</summary>
public static class ChartPalette
{
    /// <summary>The series colours in the order they are given out (blue, orange, bluish green, vermillion, reddish
    /// purple, sky blue, yellow, black); the ninth series starts over.</summary>
    public static readonly IReadOnlyList<string> Colors =
        ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000"];

    /// <summary>Viridis stops at 0, 1/8, …, 1 (matplotlib's viridis), interpolated linearly in RGB.</summary>
    private static readonly (int R, int G, int B)[] Viridis =
    [
        (0x44, 0x01, 0x54), (0x47, 0x2d, 0x7b), (0x3b, 0x52, 0x8b), (0x2c, 0x72, 0x8e), (0x21, 0x91, 0x8c),
        (0x28, 0xae, 0x80), (0x5e, 0xc9, 0x62), (0xad, 0xdc, 0x30), (0xfd, 0xe7, 0x25),
    ];

    /// <summary>The colour of cells without a value.</summary>
    public const string NoValue = "#d0d0d0";

    /// <summary>The colour of the series at <paramref name="index"/>.</summary>
    /// <param name="index">The zero-based position of the series.</param>
    /// <returns>An <c>#rrggbb</c> colour.</returns>
    public static string Color(int index) => Colors[((index % Colors.Count) + Colors.Count) % Colors.Count];

    /// <summary>The viridis colour at <paramref name="fraction"/> of the scale.</summary>
    /// <param name="fraction">The position, 0 (dark purple) to 1 (yellow); clamped, NaN taken as 0.</param>
    /// <returns>An <c>#rrggbb</c> colour.</returns>
    public static string Sequential(double fraction)
    {
        (int r, int g, int b) = SequentialRgb(fraction);
        return Hex(r, g, b);
    }

    /// <summary>Whether text on the viridis colour at <paramref name="fraction"/> should be white (dark background).</summary>
    /// <param name="fraction">The position, 0 to 1.</param>
    /// <returns>True where the background is dark.</returns>
    public static bool IsDark(double fraction)
    {
        (int r, int g, int b) = SequentialRgb(fraction);
        return (0.2126 * r) + (0.7152 * g) + (0.0722 * b) < 128;
    }

    private static (int R, int G, int B) SequentialRgb(double fraction)
    {
        double f = double.IsNaN(fraction) ? 0 : Math.Clamp(fraction, 0, 1);
        double scaled = f * (Viridis.Length - 1);
        int i = Math.Min((int)Math.Floor(scaled), Viridis.Length - 2);
        double t = scaled - i;
        (int r0, int g0, int b0) = Viridis[i];
        (int r1, int g1, int b1) = Viridis[i + 1];
        return (Mix(r0, r1, t), Mix(g0, g1, t), Mix(b0, b1, t));
    }

    private static int Mix(int a, int b, double t) => (int)Math.Round(a + ((b - a) * t), MidpointRounding.AwayFromZero);

    private static string Hex(int r, int g, int b) =>
        "#" + r.ToString("x2", CultureInfo.InvariantCulture)
            + g.ToString("x2", CultureInfo.InvariantCulture)
            + b.ToString("x2", CultureInfo.InvariantCulture);
}
