namespace LlmPlan.Units;

/// <summary>A number of tokens (input, output or both); fractional values arise from averages.</summary>
public readonly record struct Tokens : IQuantity<Tokens>
{
    private readonly double _value;

    private Tokens(double value) => _value = QuantityGuard.Finite(value, "tokens");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static Tokens Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static Tokens FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(Tokens other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 tokens</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "tokens");

    /// <summary>Creates a token count.</summary>
    /// <param name="count">The number of tokens.</param>
    /// <returns>The count.</returns>
    public static Tokens FromCount(double count) => new(count);

    /// <summary>The rate of producing <paramref name="count"/> in <paramref name="time"/>.</summary>
    /// <param name="count">The tokens.</param>
    /// <param name="time">The time taken.</param>
    /// <returns>Tokens per second.</returns>
    public static TokensPerSecond operator /(Tokens count, Seconds time) => TokensPerSecond.FromTokensPerSecond(count._value / time.Value);
}
