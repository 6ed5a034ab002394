namespace LlmPlan.Units;

/// <summary>A data rate, in bytes per second. Datasheets quote GB/s (10⁹ B/s).</summary>
public readonly record struct BytesPerSecond : IQuantity<BytesPerSecond>
{
    private readonly double _value;

    private BytesPerSecond(double value) => _value = QuantityGuard.Finite(value, "B/s");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static BytesPerSecond Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static BytesPerSecond FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(BytesPerSecond other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 B/s</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "B/s");

    /// <summary>Creates a rate from bytes per second.</summary>
    /// <param name="bytesPerSecond">The rate in B/s.</param>
    /// <returns>The rate.</returns>
    public static BytesPerSecond FromBytesPerSecond(double bytesPerSecond) => new(bytesPerSecond);

    /// <summary>Creates a rate from decimal gigabytes per second (10⁹ B/s).</summary>
    /// <param name="gigabytesPerSecond">The rate in GB/s.</param>
    /// <returns>The rate.</returns>
    public static BytesPerSecond FromGigabytesPerSecond(double gigabytesPerSecond) => new(gigabytesPerSecond * 1e9);

    /// <summary>Gets the rate in GB/s (10⁹ B/s).</summary>
    public double GigabytesPerSecond => _value / 1e9;

    /// <summary>The data moved at <paramref name="rate"/> during <paramref name="time"/>.</summary>
    /// <param name="rate">The rate.</param>
    /// <param name="time">The duration.</param>
    /// <returns>The data moved.</returns>
    public static Bytes operator *(BytesPerSecond rate, Seconds time) => Bytes.FromBytes(rate._value * time.Value);
}
