namespace LlmPlan.Units;

/// <summary>An amount of memory or data, in bytes. Decimal (GB = 10⁹ B) and binary (GiB = 2³⁰ B) factories are both offered; reports say which.</summary>
public readonly record struct Bytes : IQuantity<Bytes>
{
    private readonly double _value;

    private Bytes(double value) => _value = QuantityGuard.Finite(value, "B");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static Bytes Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static Bytes FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(Bytes other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 B</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "B");

    /// <summary>Bytes in one GiB (2³⁰).</summary>
    public const double BytesPerGibibyte = 1024.0 * 1024.0 * 1024.0;

    /// <summary>Creates an amount from bytes.</summary>
    /// <param name="bytes">The amount in bytes.</param>
    /// <returns>The amount.</returns>
    public static Bytes FromBytes(double bytes) => new(bytes);

    /// <summary>Creates an amount from decimal gigabytes (10⁹ bytes).</summary>
    /// <param name="gigabytes">The amount in GB.</param>
    /// <returns>The amount.</returns>
    public static Bytes FromGigabytes(double gigabytes) => new(gigabytes * 1e9);

    /// <summary>Creates an amount from binary gibibytes (2³⁰ bytes).</summary>
    /// <param name="gibibytes">The amount in GiB.</param>
    /// <returns>The amount.</returns>
    public static Bytes FromGibibytes(double gibibytes) => new(gibibytes * BytesPerGibibyte);

    /// <summary>Gets the amount in decimal gigabytes (10⁹ bytes).</summary>
    public double Gigabytes => _value / 1e9;

    /// <summary>Gets the amount in binary gibibytes (2³⁰ bytes).</summary>
    public double Gibibytes => _value / BytesPerGibibyte;

    /// <summary>The time to move <paramref name="amount"/> at <paramref name="bandwidth"/>.</summary>
    /// <param name="amount">The data moved.</param>
    /// <param name="bandwidth">The rate, in bytes per second.</param>
    /// <returns>The transfer time.</returns>
    public static Seconds operator /(Bytes amount, BytesPerSecond bandwidth) => Seconds.FromSeconds(amount._value / bandwidth.Value);

    /// <summary>The average rate of moving <paramref name="amount"/> in <paramref name="time"/>.</summary>
    /// <param name="amount">The data moved.</param>
    /// <param name="time">The time taken.</param>
    /// <returns>The rate in bytes per second.</returns>
    public static BytesPerSecond operator /(Bytes amount, Seconds time) => BytesPerSecond.FromBytesPerSecond(amount._value / time.Value);
}
