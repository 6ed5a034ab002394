using System.Globalization;
using LlmPlan.IO;
using LlmPlan.Validation;

namespace LlmPlan.Planning.Sweeps;

/// <summary>The values of one sweep input, written as <c>FROM:TO:STEP</c> or as a comma list (every sweep verb's
/// grid syntax).</summary>
public static class SweepRange
{
    /// <summary>FROM, FROM + STEP, … up to TO (TO included when the steps reach it), each FROM + i·STEP rounded to the
    /// decimals of FROM and STEP, so that 0.1 + 2·0.1 is 0.3 and not 0.30000000000000004.</summary>
    /// <param name="from">The first value.</param>
    /// <param name="to">The last value, ≥ <paramref name="from"/>.</param>
    /// <param name="step">The step, &gt; 0.</param>
    /// <returns>The values in increasing order.</returns>
    public static IReadOnlyList<double> Values(double from, double to, double step)
    {
        if (!(step > 0) || !(to >= from) || !double.IsFinite(to - from))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "FROM:TO:STEP needs finite FROM ≤ TO and STEP > 0.");
        }

        double count = Count(from, to, step);
        if (count > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "FROM:TO:STEP gives more values than a list holds.");
        }

        int decimals = Math.Max(Decimals(from), Decimals(step));
        return [.. Enumerable.Range(0, (int)count).Select(i => Math.Round(from + (i * step), decimals))];
    }

    /// <summary>The fewest decimals (at most 15) that write a number exactly: 2 for 0.05, 0 for 8.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The decimals.</returns>
    public static int Decimals(double value)
    {
        int d = 0;
        while (d < 15 && Math.Round(value, d) != value)
        {
            d++;
        }

        return d;
    }

    /// <summary>Parses <c>FROM:TO:STEP</c> or a comma list, collecting every error.</summary>
    /// <param name="text">The text.</param>
    /// <param name="where">The location for error messages, e.g. <c>--rates</c>.</param>
    /// <param name="errors">Collects the errors.</param>
    /// <param name="example">A valid range for the messages, e.g. <c>1:32:1</c>.</param>
    /// <param name="noun">What the values are, plural, for the messages, e.g. <c>rates</c>.</param>
    /// <param name="maxCount">The most values a range may give.</param>
    /// <param name="minimum">The smallest allowed value (FROM, TO and list entries).</param>
    /// <param name="exclusiveMinimum">Whether the minimum itself is excluded.</param>
    /// <returns>The values (a range in increasing order, a list as written), or empty after an error.</returns>
    public static IReadOnlyList<double> Parse(string text, string where, InputErrors errors, string example, string noun, int maxCount, double minimum, bool exclusiveMinimum = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(errors);
        string[] range = text.Split(':');
        if (range.Length == 3)
        {
            double? from = ValueParsing.Number(range[0].Trim(), where, errors, minimum, exclusiveMinimum);
            double? to = ValueParsing.Number(range[1].Trim(), where, errors, minimum, exclusiveMinimum);
            double? step = ValueParsing.Number(range[2].Trim(), where, errors, 0);
            if (from is not double f || to is not double t || step is not double s)
            {
                return [];
            }

            if (s <= 0 || t < f)
            {
                errors.Add(where, $"FROM:TO:STEP needs FROM ≤ TO and STEP > 0, e.g. {example}.");
                return [];
            }

            double count = Count(f, t, s);
            if (count > maxCount)
            {
                errors.Add(where, string.Create(CultureInfo.InvariantCulture, $"{count:0} {noun} is too many; use at most {maxCount} (a larger STEP)."));
                return [];
            }

            return Values(f, t, s);
        }

        double?[] list = [.. text.Split(',').Select(p => ValueParsing.Number(p.Trim(), where, errors, minimum, exclusiveMinimum))];
        return list.All(v => v is not null) ? [.. list.Select(v => v!.Value)] : [];
    }

    /// <summary>The number of values FROM:TO:STEP gives, as a double so that no range overflows.</summary>
    private static double Count(double from, double to, double step) => Math.Floor(((to - from) / step) + 1e-9) + 1;
}
