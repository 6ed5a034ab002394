using System.Globalization;

namespace LlmPlan;

/// <summary>Invariant-culture text helpers shared by messages and reports.</summary>
internal static class Invariant
{
    /// <summary>Formats an interpolated string with the invariant culture.</summary>
    public static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats a number with a fixed number of decimals and the invariant culture.</summary>
    public static string Fixed(double value, int decimals) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
