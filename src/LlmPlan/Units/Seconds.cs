namespace LlmPlan.Units;

/// <summary>A duration, in seconds.</summary>
public readonly record struct Seconds : IQuantity<Seconds>
{
    private readonly double _value;

    private Seconds(double value) => _value = QuantityGuard.Finite(value, "s");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static Seconds Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static Seconds FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(Seconds other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 s</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "s");

    /// <summary>Creates a duration from seconds.</summary>
    /// <param name="seconds">The duration in seconds.</param>
    /// <returns>The duration.</returns>
    public static Seconds FromSeconds(double seconds) => new(seconds);

    /// <summary>Creates a duration from milliseconds.</summary>
    /// <param name="milliseconds">The duration in ms.</param>
    /// <returns>The duration.</returns>
    public static Seconds FromMilliseconds(double milliseconds) => new(milliseconds / 1e3);

    /// <summary>Creates a duration from microseconds.</summary>
    /// <param name="microseconds">The duration in µs.</param>
    /// <returns>The duration.</returns>
    public static Seconds FromMicroseconds(double microseconds) => new(microseconds / 1e6);

    /// <summary>Creates a duration from hours.</summary>
    /// <param name="hours">The duration in hours.</param>
    /// <returns>The duration.</returns>
    public static Seconds FromHours(double hours) => new(hours * 3600.0);

    /// <summary>Gets the duration in milliseconds.</summary>
    public double Milliseconds => _value * 1e3;

    /// <summary>Gets the duration in hours.</summary>
    public double Hours => _value / 3600.0;

    /// <summary>The larger of two durations.</summary>
    /// <param name="left">A duration.</param>
    /// <param name="right">A duration.</param>
    /// <returns>The larger.</returns>
    public static Seconds Max(Seconds left, Seconds right) => left._value >= right._value ? left : right;
}
