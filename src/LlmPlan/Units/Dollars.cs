namespace LlmPlan.Units;

/// <summary>An amount of money, in US dollars.</summary>
public readonly record struct Dollars : IQuantity<Dollars>
{
    private readonly double _value;

    private Dollars(double value) => _value = QuantityGuard.Finite(value, "USD");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static Dollars Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static Dollars FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(Dollars other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 USD</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "USD");

    /// <summary>Creates an amount from US dollars.</summary>
    /// <param name="dollars">The amount in USD.</param>
    /// <returns>The amount.</returns>
    public static Dollars FromDollars(double dollars) => new(dollars);
}
