using System.Globalization;
using System.Text.RegularExpressions;
using LlmPlan.Validation;

namespace LlmPlan.IO;

/// <summary>Invariant-culture parsing of numbers, integers and booleans with error messages that name the location.</summary>
public static partial class ValueParsing
{
    /// <summary>Parses a finite number.</summary>
    /// <param name="text">The text.</param>
    /// <param name="where">The location for the error message.</param>
    /// <param name="errors">Collects the error.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <param name="exclusiveMinimum">Whether the minimum itself is excluded.</param>
    /// <param name="maximum">The largest allowed value (inclusive).</param>
    /// <returns>The number, or null.</returns>
    public static double? Number(
        string text, string where, InputErrors errors, double minimum = double.NegativeInfinity, bool exclusiveMinimum = false, double maximum = double.PositiveInfinity)
    {
        if (text.Length == 0)
        {
            errors.Add(where, "the value is empty. Write a number.");
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            errors.Add(where, $"'{text}' is not a number. Write a finite number with '.' as the decimal separator.");
            return null;
        }

        if (value < minimum || (exclusiveMinimum && value <= minimum))
        {
            string bound = exclusiveMinimum ? $"greater than {Format(minimum)}" : $"at least {Format(minimum)}";
            errors.Add(where, $"{Format(value)} is out of range; it must be {bound}.");
            return null;
        }

        if (value > maximum)
        {
            errors.Add(where, $"{Format(value)} is out of range; it must be at most {Format(maximum)}.");
            return null;
        }

        return value;
    }

    /// <summary>Finds every unsigned decimal number written in free text, in order, e.g. 140 and 160 in
    /// <c>$140-160 (estimated)</c> (a dash between numbers is a range, not a sign).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The numbers; empty when there is none.</returns>
    public static IReadOnlyList<double> NumbersIn(string text) =>
        [.. UnsignedNumber().Matches(text).Select(m => double.Parse(m.Value, NumberStyles.Float, CultureInfo.InvariantCulture))];

    /// <summary>Parses an integer with an inclusive minimum.</summary>
    /// <param name="text">The text.</param>
    /// <param name="where">The location for the error message.</param>
    /// <param name="errors">Collects the error.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <returns>The integer, or null.</returns>
    public static int? Integer(string text, string where, InputErrors errors, int minimum = int.MinValue)
    {
        if (text.Length == 0)
        {
            errors.Add(where, "the value is empty. Write a whole number.");
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
        {
            // Seed files write whole numbers as floats ("999.0").
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue)
            {
                value = (int)d;
            }
            else
            {
                errors.Add(where, $"'{text}' is not a whole number. Write an integer such as 8.");
                return null;
            }
        }

        if (value < minimum)
        {
            errors.Add(where, $"{value.ToString(CultureInfo.InvariantCulture)} is out of range; it must be at least {minimum.ToString(CultureInfo.InvariantCulture)}.");
            return null;
        }

        return value;
    }

    /// <summary>Parses <c>true</c>/<c>false</c> (case-insensitive; also <c>yes</c>/<c>no</c>, <c>1</c>/<c>0</c>).</summary>
    /// <param name="text">The text.</param>
    /// <param name="where">The location for the error message.</param>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The value, or null.</returns>
    public static bool? Boolean(string text, string where, InputErrors errors)
    {
        switch (text.ToLowerInvariant())
        {
            case "true" or "yes" or "1":
                return true;
            case "false" or "no" or "0":
                return false;
            default:
                errors.Add(where, $"'{text}' is not a boolean. Write true or false.");
                return null;
        }
    }

    /// <summary>Formats a number with invariant culture, shortest round-trip form.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The text.</returns>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\d+(?:\.\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex UnsignedNumber();
}
