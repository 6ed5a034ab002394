namespace LlmPlan.Units;

/// <summary>A compute rate, in operations per second (FLOP/s, or OP/s for integer tensor math).</summary>
public readonly record struct FlopsPerSecond : IQuantity<FlopsPerSecond>
{
    private readonly double _value;

    private FlopsPerSecond(double value) => _value = QuantityGuard.Finite(value, "FLOP/s");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static FlopsPerSecond Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static FlopsPerSecond FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(FlopsPerSecond other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 FLOP/s</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "FLOP/s");

    /// <summary>Creates a rate from tera-operations per second (10¹² per second), the datasheet unit.</summary>
    /// <param name="teraflops">The rate in TFLOP/s.</param>
    /// <returns>The rate.</returns>
    public static FlopsPerSecond FromTeraflops(double teraflops) => new(teraflops * 1e12);

    /// <summary>Gets the rate in TFLOP/s.</summary>
    public double Teraflops => _value / 1e12;
}
