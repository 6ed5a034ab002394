namespace LlmPlan.Units;

/// <summary>A unit price of generated or processed tokens, in US dollars per million tokens.</summary>
public readonly record struct DollarsPerMillionTokens : IQuantity<DollarsPerMillionTokens>
{
    private readonly double _value;

    private DollarsPerMillionTokens(double value) => _value = QuantityGuard.Finite(value, "USD/Mtok");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static DollarsPerMillionTokens Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static DollarsPerMillionTokens FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(DollarsPerMillionTokens other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 USD/Mtok</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "USD/Mtok");

    /// <summary>Creates a unit price from US dollars per million tokens.</summary>
    /// <param name="dollarsPerMillionTokens">The price in USD per 10⁶ tokens.</param>
    /// <returns>The price.</returns>
    public static DollarsPerMillionTokens FromDollarsPerMillionTokens(double dollarsPerMillionTokens) => new(dollarsPerMillionTokens);
}
