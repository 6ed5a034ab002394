namespace LlmPlan.Units;

/// <summary>A rental price, in US dollars per hour.</summary>
public readonly record struct DollarsPerHour : IQuantity<DollarsPerHour>
{
    private readonly double _value;

    private DollarsPerHour(double value) => _value = QuantityGuard.Finite(value, "USD/h");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static DollarsPerHour Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static DollarsPerHour FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(DollarsPerHour other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 USD/h</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "USD/h");

    /// <summary>Creates a price from US dollars per hour.</summary>
    /// <param name="dollarsPerHour">The price in USD/h.</param>
    /// <returns>The price.</returns>
    public static DollarsPerHour FromDollarsPerHour(double dollarsPerHour) => new(dollarsPerHour);

    /// <summary>The cost of renting at <paramref name="price"/> for <paramref name="time"/>.</summary>
    /// <param name="price">The price.</param>
    /// <param name="time">The rental time.</param>
    /// <returns>The cost in USD.</returns>
    public static Dollars operator *(DollarsPerHour price, Seconds time) => Dollars.FromDollars(price._value * time.Hours);

    /// <summary>The cost of one million tokens produced at <paramref name="rate"/> while paying <paramref name="price"/>.</summary>
    /// <param name="price">The price of the hardware producing the tokens.</param>
    /// <param name="rate">The token rate.</param>
    /// <returns>USD per million tokens.</returns>
    public static DollarsPerMillionTokens operator /(DollarsPerHour price, TokensPerSecond rate) =>
        DollarsPerMillionTokens.FromDollarsPerMillionTokens(price._value / (rate.Value * 3600.0) * 1e6);
}
