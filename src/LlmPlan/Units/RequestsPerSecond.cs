namespace LlmPlan.Units;

/// <summary>A request rate, in requests per second (an arrival rate, or the rate a deployment sustains).</summary>
public readonly record struct RequestsPerSecond : IQuantity<RequestsPerSecond>
{
    private readonly double _value;

    private RequestsPerSecond(double value) => _value = QuantityGuard.Finite(value, "requests/s");

    /// <summary>Gets the zero quantity (also <c>default</c>).</summary>
    public static RequestsPerSecond Zero => default;

    /// <inheritdoc/>
    public double Value => _value;

    /// <inheritdoc/>
    public static RequestsPerSecond FromBaseUnits(double value) => new(value);

    /// <inheritdoc/>
    public int CompareTo(RequestsPerSecond other) => _value.CompareTo(other._value);

    /// <summary>Formats the quantity in its base unit with invariant culture.</summary>
    /// <returns>For example <c>12.5 requests/s</c>.</returns>
    public override string ToString() => QuantityGuard.Format(_value, "requests/s");

    /// <summary>Creates a rate from requests per second.</summary>
    /// <param name="requestsPerSecond">The rate.</param>
    /// <returns>The rate.</returns>
    public static RequestsPerSecond FromRequestsPerSecond(double requestsPerSecond) => new(requestsPerSecond);
}
