namespace LlmPlan.Units;

/// <summary>A token rate, in tokens per second.</summary>
public readonly record struct TokensPerSecond : IQuantity<TokensPerSecond>
{
    private readonly double _value;

    private TokensPerSecond(double value) => _value = QuantityGuard.Finite(value, "tokens/s");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static TokensPerSecond Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static TokensPerSecond FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(TokensPerSecond other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 tokens/s</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "tokens/s");

    /// <summary>Creates a rate from tokens per second.</summary>
    /// <param name="tokensPerSecond">The rate.</param>
    /// <returns>The rate.</returns>
    public static TokensPerSecond FromTokensPerSecond(double tokensPerSecond) => new(tokensPerSecond);

    /// <summary>The time to produce <paramref name="count"/> at <paramref name="rate"/>.</summary>
    /// <param name="count">The tokens.</param>
    /// <param name="rate">The rate.</param>
    /// <returns>The time.</returns>
    public static Seconds operator /(Tokens count, TokensPerSecond rate) => Seconds.FromSeconds(count.Value / rate._value);
}
