using System.Globalization;

namespace LlmPlan.IO.Svg;

/// <summary>A tick on an axis.</summary>
/// <param name="Value">The position, in data units.</param>
/// <param name="Label">The text under or beside the tick; empty for an unlabelled tick.</param>
/// <param name="Major">Whether the tick is major (a darker grid line) or minor (a lighter one).</param>
public sealed record AxisTick(double Value, string Label, bool Major);

/// <summary>The range and ticks of one axis.</summary>
/// <remarks>
/// <para>Linear: the step is the smallest of 1, 2 or 5 × 10ⁿ that covers the data in at most <c>maxIntervals</c>
/// steps; the ends are the data's ends rounded out to a step (a fixed end is kept exactly and only the ticks inside it
/// are drawn). Every tick is major and labelled with the decimals of the step, for example 0..37 in at most 5
/// intervals gives 0, 10, 20, 30, 40. A single value v is widened to v ± 10 % (± 1 for zero) first.</para>
/// <para>Logarithmic (base 10): the ends are the data's ends rounded out to whole decades (at least one decade), so
/// 0.3..2000 gives 0.1, 1, 10, 100, 1000, 10000. Every decade is a major tick; when there are more decades than
/// <c>maxIntervals</c>, only every k-th decade is labelled (those whose exponent is a multiple of k, k the smallest
/// that fits). Up to 6 decades, 2..9 × 10ⁿ are minor ticks; up to 3 decades, the minor ticks at 2 and 5 × 10ⁿ are
/// labelled too.</para>
/// <para>Data beyond ±1e300 (and, on a logarithmic axis, below 1e-300) is taken as those limits, so the scale
/// stays within the doubles.</para>
/// <para>Labels are invariant: thousands grouped with commas (<c>1,000</c>), and <c>2.5e6</c> style at or above a
/// million or below 0.001.</para>
/// </remarks>
public sealed record AxisScale
{
    private const double Epsilon = 1e-9;

    /// <summary>The largest magnitude an axis reaches; data beyond it is taken as this.</summary>
    public const double Largest = 1e300;

    /// <summary>The smallest value a logarithmic axis reaches; positive data below it is taken as this.</summary>
    public const double Smallest = 1e-300;

    private AxisScale(double min, double max, bool logarithmic, IReadOnlyList<AxisTick> ticks)
    {
        Min = min;
        Max = max;
        Logarithmic = logarithmic;
        Ticks = ticks;
    }

    /// <summary>Gets the lower end of the axis.</summary>
    public double Min { get; }

    /// <summary>Gets the upper end of the axis.</summary>
    public double Max { get; }

    /// <summary>Gets whether the axis is base-10 logarithmic.</summary>
    public bool Logarithmic { get; }

    /// <summary>Gets the ticks, ascending, all within <see cref="Min"/>..<see cref="Max"/>.</summary>
    public IReadOnlyList<AxisTick> Ticks { get; }

    /// <summary>The scale of <paramref name="axis"/> for data spanning <paramref name="dataMin"/>..<paramref name="dataMax"/>.</summary>
    /// <param name="axis">The axis: kind and fixed ends.</param>
    /// <param name="dataMin">The lowest value to show; NaN when there is no data.</param>
    /// <param name="dataMax">The highest value to show; NaN when there is no data.</param>
    /// <param name="maxIntervals">The most tick intervals (linear) or labelled decades (logarithmic).</param>
    /// <returns>The scale.</returns>
    public static AxisScale For(AxisSpec axis, double dataMin, double dataMax, int maxIntervals)
    {
        ArgumentNullException.ThrowIfNull(axis);
        return axis.Logarithmic
            ? Log(dataMin, dataMax, maxIntervals, axis.Min, axis.Max)
            : Linear(dataMin, dataMax, maxIntervals, axis.Min, axis.Max);
    }

    /// <summary>A linear scale with 1-2-5 steps (see the remarks of <see cref="AxisScale"/>).</summary>
    /// <param name="dataMin">The lowest value to show; NaN when there is no data (0..1 is shown).</param>
    /// <param name="dataMax">The highest value to show; NaN when there is no data.</param>
    /// <param name="maxIntervals">The most tick intervals, at least 1.</param>
    /// <param name="fixedMin">A lower end kept exactly, or null.</param>
    /// <param name="fixedMax">An upper end kept exactly, or null.</param>
    /// <returns>The scale.</returns>
    public static AxisScale Linear(double dataMin, double dataMax, int maxIntervals, double? fixedMin = null, double? fixedMax = null)
    {
        CheckFixed(fixedMin, fixedMax);
        fixedMin = Clamp(fixedMin);
        fixedMax = Clamp(fixedMax);
        bool noData = !double.IsFinite(dataMin) || !double.IsFinite(dataMax);
        double lo = fixedMin ?? (noData ? Math.Min(0, fixedMax - 1 ?? 0) : Math.Clamp(dataMin, -Largest, Largest));
        double hi = fixedMax ?? (noData ? Math.Max(1, fixedMin + 1 ?? 1) : Math.Clamp(dataMax, -Largest, Largest));

        // A span too small for the doubles to step through (or none) is widened: v ± 10 % of v, or ± 1 near zero.
        if (!(hi - lo >= Math.Max(Math.Max(Math.Abs(lo), Math.Abs(hi)) * 1e-9, 1e-200)))
        {
            double anchor = fixedMin ?? fixedMax ?? ((lo / 2) + (hi / 2));
            double span = Math.Abs(anchor) >= 1e-150 ? Math.Abs(anchor) * 0.1 : 1;
            if (fixedMin is not null)
            {
                (lo, hi, fixedMax) = (anchor, anchor + span, null);
            }
            else
            {
                (lo, hi) = fixedMax is not null ? (anchor - span, anchor) : (anchor - span, anchor + span);
            }
        }

        (double mantissa, int exponent) = NiceStep(lo, hi, Math.Max(1, maxIntervals));
        double step = Scaled(mantissa, exponent);
        long first = (long)Math.Floor((lo / step) + Epsilon);
        long last = (long)Math.Ceiling((hi / step) - Epsilon);
        double min = fixedMin ?? Scaled(first * mantissa, exponent);
        double max = fixedMax ?? Scaled(last * mantissa, exponent);
        int decimals = Math.Max(0, -exponent);
        var values = new List<double>();
        for (long i = first; i <= last; i++)
        {
            double value = Scaled(i * mantissa, exponent);
            if (value >= min - (Epsilon * step) && value <= max + (Epsilon * step))
            {
                values.Add(value);
            }
        }

        bool scientific = values.Count > 0 && values.Max(Math.Abs) >= 1e6;
        return new AxisScale(min, max, false, values.Select(v => new AxisTick(v, FormatTick(v, decimals, scientific), true)).ToList());
    }

    /// <summary>A base-10 logarithmic scale over whole decades (see the remarks of <see cref="AxisScale"/>).</summary>
    /// <param name="dataMin">The lowest value to show, above zero; NaN when there is no data (1..10 is shown).</param>
    /// <param name="dataMax">The highest value to show, above zero; NaN when there is no data.</param>
    /// <param name="maxIntervals">The most labelled decades, at least 1.</param>
    /// <param name="fixedMin">A lower end kept exactly, or null; ignored when not above zero.</param>
    /// <param name="fixedMax">An upper end kept exactly, or null; ignored when not above zero.</param>
    /// <returns>The scale.</returns>
    public static AxisScale Log(double dataMin, double dataMax, int maxIntervals, double? fixedMin = null, double? fixedMax = null)
    {
        fixedMin = fixedMin > 0 ? fixedMin : null;
        fixedMax = fixedMax > 0 ? fixedMax : null;
        CheckFixed(fixedMin, fixedMax);
        fixedMin = fixedMin is { } a ? Math.Clamp(a, Smallest, Largest) : null;
        fixedMax = fixedMax is { } b ? Math.Clamp(b, Smallest, Largest) : null;
        bool noData = !(dataMin > 0) || !(dataMax > 0) || !double.IsFinite(dataMin) || !double.IsFinite(dataMax);
        double lo = fixedMin ?? (noData ? Math.Min(1, fixedMax / 10 ?? 1) : Math.Clamp(dataMin, Smallest, Largest));
        double hi = fixedMax ?? (noData ? Math.Max(10, fixedMin * 10 ?? 10) : Math.Clamp(dataMax, Smallest, Largest));
        if (!(hi > lo))
        {
            if (fixedMin is not null)
            {
                (hi, fixedMax) = (lo * 10, null);
            }
            else
            {
                (lo, hi) = fixedMax is not null ? (hi / 10, hi) : (lo, lo);
            }
        }

        int firstDecade = (int)Math.Floor(Math.Log10(lo) + Epsilon);
        int lastDecade = (int)Math.Ceiling(Math.Log10(hi) - Epsilon);
        if (lastDecade <= firstDecade)
        {
            lastDecade = firstDecade + 1;
        }

        double min = fixedMin ?? Scaled(1, firstDecade);
        double max = fixedMax ?? Scaled(1, lastDecade);
        int decades = lastDecade - firstDecade;
        int every = Math.Max(1, (decades + Math.Max(1, maxIntervals) - 1) / Math.Max(1, maxIntervals));
        var ticks = new List<AxisTick>();
        for (int d = firstDecade; d <= lastDecade; d++)
        {
            for (int m = 1; m <= 9; m++)
            {
                double value = Scaled(m, d);
                if (value < min * (1 - Epsilon) || value > max * (1 + Epsilon) || (m > 1 && decades > 6))
                {
                    continue;
                }

                bool labelled = m == 1 ? ((d % every) + every) % every == 0 : decades <= 3 && (m == 2 || m == 5);
                ticks.Add(new AxisTick(value, labelled ? FormatTick(value, Math.Max(0, -d), value >= 1e6) : "", m == 1));
            }
        }

        return new AxisScale(min, max, true, ticks);
    }

    /// <summary>Where <paramref name="value"/> lies along the axis: 0 at <see cref="Min"/>, 1 at <see cref="Max"/>,
    /// outside 0..1 beyond the ends.</summary>
    /// <param name="value">The value, in data units; above zero on a logarithmic axis.</param>
    /// <returns>The fraction of the axis length.</returns>
    public double Fraction(double value) => Logarithmic
        ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (value - Min) / (Max - Min);

    /// <summary>Formats a tick value: <paramref name="decimals"/> fixed decimals with thousands grouped (zero too, so
    /// 0.0, 0.5, 1.0 line up), or <c>2.5e6</c> style when <paramref name="scientific"/> or when not zero and below
    /// 0.001 in size.</summary>
    /// <param name="value">The value.</param>
    /// <param name="decimals">The decimals.</param>
    /// <param name="scientific">Whether to write mantissa and exponent.</param>
    /// <returns>The invariant text.</returns>
    public static string FormatTick(double value, int decimals, bool scientific)
    {
        double a = Math.Abs(value);
        if (!double.IsFinite(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        if (a == 0 && scientific)
        {
            return "0";
        }

        if (a != 0 && (scientific || a < 1e-3))
        {
            int exponent = (int)Math.Floor(Math.Log10(a) + Epsilon);
            double mantissa = Math.Round(value / Math.Pow(10, exponent), 2, MidpointRounding.AwayFromZero);
            return mantissa.ToString("0.##", CultureInfo.InvariantCulture) + "e" + exponent.ToString(CultureInfo.InvariantCulture);
        }

        double rounded = Math.Round(value, Math.Min(15, decimals), MidpointRounding.AwayFromZero);
        string format = decimals > 0 ? "#,0." + new string('0', decimals) : "#,0";
        return (rounded == 0 ? 0 : rounded).ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>The smallest 1-2-5 step (mantissa, exponent) that covers lo..hi in at most <paramref name="maxIntervals"/> steps.</summary>
    private static (double Mantissa, int Exponent) NiceStep(double lo, double hi, int maxIntervals)
    {
        int exponent = (int)Math.Floor(Math.Log10((hi - lo) / maxIntervals)) - 1;
        double[] mantissas = [1, 2, 5];
        for (int i = 0; ; i++)
        {
            double mantissa = mantissas[i % 3];
            int e = exponent + (i / 3);
            double step = Scaled(mantissa, e);
            double intervals = Math.Ceiling((hi / step) - Epsilon) - Math.Floor((lo / step) + Epsilon);
            if (intervals <= maxIntervals)
            {
                return (mantissa, e);
            }
        }
    }

    /// <summary><paramref name="mantissa"/> × 10^<paramref name="exponent"/>, dividing for negative exponents so
    /// 0.1, 0.2, 0.5 come out as the nearest doubles.</summary>
    private static double Scaled(double mantissa, int exponent) =>
        exponent >= 0 ? mantissa * Math.Pow(10, exponent) : mantissa / Math.Pow(10, -exponent);

    private static double? Clamp(double? value) => value is { } v && double.IsFinite(v) ? Math.Clamp(v, -Largest, Largest) : value;

    private static void CheckFixed(double? fixedMin, double? fixedMax)
    {
        if ((fixedMin is { } a && !double.IsFinite(a)) || (fixedMax is { } b && !double.IsFinite(b)))
        {
            throw new ArgumentException("The fixed axis ends must be finite numbers.", nameof(fixedMin));
        }

        if (fixedMin is { } lo && fixedMax is { } hi && !(hi > lo))
        {
            throw new ArgumentException("The fixed axis ends must have Min below Max.", nameof(fixedMin));
        }
    }
}
