namespace LlmPlan.Units;

/// <summary>An amount of arithmetic work, in floating-point (or integer tensor) operations; a multiply-add counts as two.</summary>
public readonly record struct Flops : IQuantity<Flops>
{
    private readonly double _value;

    private Flops(double value) => _value = QuantityGuard.Finite(value, "FLOP");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static Flops Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static Flops FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(Flops other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 FLOP</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "FLOP");

    /// <summary>Creates an amount of work from operations.</summary>
    /// <param name="operations">The number of operations.</param>
    /// <returns>The amount of work.</returns>
    public static Flops FromOperations(double operations) => new(operations);

    /// <summary>The time to do <paramref name="work"/> at <paramref name="rate"/>.</summary>
    /// <param name="work">The operations.</param>
    /// <param name="rate">The rate, in operations per second.</param>
    /// <returns>The compute time.</returns>
    public static Seconds operator /(Flops work, FlopsPerSecond rate) => Seconds.FromSeconds(work._value / rate.Value);

    /// <summary>The arithmetic intensity of <paramref name="work"/> over <paramref name="traffic"/>, in operations per byte.</summary>
    /// <param name="work">The operations.</param>
    /// <param name="traffic">The bytes moved.</param>
    /// <returns>Operations per byte.</returns>
    public static double operator /(Flops work, Bytes traffic) => work._value / traffic.Value;
}
