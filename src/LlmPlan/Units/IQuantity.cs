using System.Globalization;

namespace LlmPlan.Units;

/// <summary>
/// A physical quantity stored as one finite <see cref="double"/> in its base unit (bytes, seconds, FLOPs, dollars, tokens …).
/// </summary>
/// <remarks>
/// Same-unit arithmetic and comparisons come from <see cref="QuantityOperators"/> for every quantity at once; each unit type
/// declares only its factories, read-outs and the cross-unit operators physics allows (bytes ÷ bytes/s = seconds). There is
/// deliberately no operator between unrelated units, so <c>bytes + seconds</c> does not compile. <c>default(T)</c> is zero.
/// </remarks>
/// <typeparam name="TSelf">The implementing unit type.</typeparam>
public interface IQuantity<TSelf> : IComparable<TSelf>
    where TSelf : struct, IQuantity<TSelf>
{
    /// <summary>Gets the value in the base unit of <typeparamref name="TSelf"/>.</summary>
    double Value { get; }

    /// <summary>Creates a quantity from a value in the base unit.</summary>
    /// <param name="value">The value in the base unit; must be finite.</param>
    /// <returns>The quantity.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    static abstract TSelf FromBaseUnits(double value);
}

/// <summary>Same-unit operators shared by every <see cref="IQuantity{TSelf}"/>.</summary>
public static class QuantityOperators
{
    extension<T>(T) where T : struct, IQuantity<T>
    {
        /// <summary>Adds two quantities of the same unit.</summary>
        public static T operator +(T left, T right) => T.FromBaseUnits(left.Value + right.Value);

        /// <summary>Subtracts two quantities of the same unit.</summary>
        public static T operator -(T left, T right) => T.FromBaseUnits(left.Value - right.Value);

        /// <summary>Negates a quantity.</summary>
        public static T operator -(T value) => T.FromBaseUnits(-value.Value);

        /// <summary>Scales a quantity by a dimensionless factor.</summary>
        public static T operator *(T left, double factor) => T.FromBaseUnits(left.Value * factor);

        /// <summary>Scales a quantity by a dimensionless factor.</summary>
        public static T operator *(double factor, T right) => T.FromBaseUnits(factor * right.Value);

        /// <summary>Divides a quantity by a dimensionless divisor.</summary>
        public static T operator /(T left, double divisor) => T.FromBaseUnits(left.Value / divisor);

        /// <summary>The dimensionless ratio of two quantities of the same unit.</summary>
        public static double operator /(T left, T right) => left.Value / right.Value;

        /// <summary>Compares two quantities.</summary>
        public static bool operator <(T left, T right) => left.Value < right.Value;

        /// <summary>Compares two quantities.</summary>
        public static bool operator >(T left, T right) => left.Value > right.Value;

        /// <summary>Compares two quantities.</summary>
        public static bool operator <=(T left, T right) => left.Value <= right.Value;

        /// <summary>Compares two quantities.</summary>
        public static bool operator >=(T left, T right) => left.Value >= right.Value;
    }

    extension<T>(IEnumerable<T> values) where T : struct, IQuantity<T>
    {
        /// <summary>The sum of the quantities (zero when there are none).</summary>
        /// <returns>The sum.</returns>
        public T Total() => T.FromBaseUnits(values.Sum(v => v.Value));
    }
}

/// <summary>Checks shared by the unit factories.</summary>
internal static class QuantityGuard
{
    /// <summary>Returns <paramref name="value"/> when it is finite; throws otherwise.</summary>
    public static double Finite(double value, string unit)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(
                nameof(value),
                value,
                string.Create(CultureInfo.InvariantCulture, $"A quantity in {unit} must be a finite number; got {value}."));
        }

        return value;
    }

    /// <summary>Formats a value with invariant culture and up to four significant decimals.</summary>
    public static string Format(double value, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{value:0.####} {unit}");
}
