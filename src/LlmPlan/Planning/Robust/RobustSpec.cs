using LlmPlan.Catalog;

namespace LlmPlan.Planning.Robust;

/// <summary>Error-rate overrides: catalog model id → (<c>base</c> or a precision name such as <c>fp8</c>) → rate in [0, 1].
/// <c>base</c> replaces the model's 16-bit rate, from which the other precisions follow by
/// <see cref="RobustErrorTable.PrecisionMultiplier"/>; a precision entry replaces that precision's rate outright.</summary>
public sealed record ErrorRateOverrides
{
    /// <summary>Gets no overrides.</summary>
    public static ErrorRateOverrides None { get; } = new();

    /// <summary>Gets the rates by model id (ordinal, as the catalog spells it), then by key.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Rates { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);

    /// <summary>The key that overrides a model's 16-bit rate.</summary>
    public const string BaseKey = "base";

    /// <summary>The rate of a model at a precision this override set gives, or null.</summary>
    /// <param name="model">The catalog model id.</param>
    /// <param name="precision">The precision.</param>
    /// <returns>The precision's own entry, else the base entry × the precision's multiplier (at most 1), else null.</returns>
    public double? RateFor(string model, Precision precision)
    {
        if (!Rates.TryGetValue(model, out var byKey))
        {
            return null;
        }

        if (byKey.TryGetValue(precision.Name(), out double exact))
        {
            return exact;
        }

        return byKey.TryGetValue(BaseKey, out double rate) ? Math.Min(1.0, rate * RobustErrorTable.PrecisionMultiplier(precision)) : null;
    }
}

/// <summary>A query class of a robust spec, before derivation (docs/formats.md, "Robust spec (YAML)").</summary>
/// <param name="Name">The class name.</param>
/// <param name="InputTokens">Input tokens per query h_i.</param>
/// <param name="OutputTokens">Output tokens per query f_i.</param>
/// <param name="RatePerHour">Queries per hour λ_i.</param>
/// <param name="DelayLimitMilliseconds">The per-query delay limit Δ_i, in ms.</param>
/// <param name="ErrorLimit">The error-rate limit ε_i.</param>
/// <param name="DelayPenaltyPerMillisecond">The delay penalty ρ_i, in $ per ms per query.</param>
/// <param name="UnmetPenalty">The penalty φ_i per unmet query, in $.</param>
/// <param name="TokenSizeMegabytes">The storage of one token θ_i, in MB.</param>
public sealed record RobustClassSpec(
    string Name,
    int InputTokens,
    int OutputTokens,
    int RatePerHour,
    double DelayLimitMilliseconds,
    double ErrorLimit,
    double DelayPenaltyPerMillisecond,
    double UnmetPenalty,
    double TokenSizeMegabytes)
{
    /// <summary>Gets the error-rate overrides for this class only (they win over the spec-wide ones).</summary>
    public ErrorRateOverrides ErrorRates { get; init; } = ErrorRateOverrides.None;

    /// <summary>Gets where the class is written, for messages (file, line and field), or empty.</summary>
    public string Where { get; init; } = string.Empty;
}

/// <summary>A GPU tier of a robust spec: a catalog GPU at a precision.</summary>
/// <param name="Gpu">The GPU.</param>
/// <param name="Precision">The weight precision.</param>
public sealed record RobustTierSpec(GpuSpec Gpu, Precision Precision)
{
    /// <summary>Gets the price of one GPU per hour that replaces the catalog's, or null to use the catalog's.</summary>
    public double? PricePerHour { get; init; }

    /// <summary>Gets where the tier is written, for messages, or empty.</summary>
    public string Where { get; init; } = string.Empty;

    /// <summary>Gets the tier name <c>&lt;gpu&gt;_&lt;PRECISION&gt;</c>, e.g. <c>H100-SXM-80GB_FP8</c>.</summary>
    public string Name => $"{Gpu.Id}_{Precision.Name().ToUpperInvariant()}";
}

/// <summary>A robust-allocation problem stated with catalog names (the YAML of <c>examples/robust/llama-spec.yaml</c>);
/// <see cref="RobustInstanceBuilder"/> derives the numbers of a <see cref="RobustInstance"/> from it.</summary>
public sealed record RobustSpec
{
    /// <summary>The TP degrees used when a spec gives none.</summary>
    public static readonly IReadOnlyList<int> DefaultTpDegrees = [1, 2, 4, 8];

    /// <summary>Gets the instance name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets where the spec comes from (its file), or empty.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Gets the provider whose instances price the tiers, or null for the cheapest of any provider.</summary>
    public string? Provider { get; init; }

    /// <summary>Gets the rental horizon ΔT, in hours.</summary>
    public double HorizonHours { get; init; } = 12;

    /// <summary>Gets the budget δ, in $.</summary>
    public required double Budget { get; init; }

    /// <summary>Gets the storage capacity C^s, in GB.</summary>
    public double StorageCapacityGigabytes { get; init; } = 1000;

    /// <summary>Gets the storage price p^s, in $ per GB-hour (default: AWS EBS gp3's $0.08 per GB-month ÷ 730 h, rounded).</summary>
    public double StoragePricePerGigabyteHour { get; init; } = 0.0001;

    /// <summary>Gets the delay uncertainty budget Γ_d.</summary>
    public double GammaDelay { get; init; } = 1;

    /// <summary>Gets the error uncertainty budget Γ_e.</summary>
    public double GammaError { get; init; } = 1;

    /// <summary>Gets the worst-case delay deviation as a fraction of the nominal: d̂ = fraction × d̄.</summary>
    public double DelayDeviation { get; init; } = 0.2;

    /// <summary>Gets the worst-case error deviation as a fraction of the nominal: ê = fraction × ē.</summary>
    public double ErrorDeviation { get; init; } = 0.2;

    /// <summary>Gets the KV residency time T^res in hours, or null to use the slowest predicted request latency.</summary>
    public double? KvResidencyHours { get; init; }

    /// <summary>Gets the tensor-parallel degrees.</summary>
    public IReadOnlyList<int> TpDegrees { get; init; } = DefaultTpDegrees;

    /// <summary>Gets the query classes.</summary>
    public required IReadOnlyList<RobustClassSpec> Classes { get; init; }

    /// <summary>Gets the models.</summary>
    public required IReadOnlyList<ModelArchitecture> Models { get; init; }

    /// <summary>Gets where each model is written (parallel to <see cref="Models"/>), for messages; may be empty.</summary>
    public IReadOnlyList<string> ModelWhere { get; init; } = [];

    /// <summary>Gets the GPU tiers.</summary>
    public required IReadOnlyList<RobustTierSpec> Tiers { get; init; }

    /// <summary>Gets the spec-wide error-rate overrides.</summary>
    public ErrorRateOverrides ErrorRates { get; init; } = ErrorRateOverrides.None;
}
