namespace LlmPlan.Planning.Robust;

/// <summary>A query class i of the robust allocation problem (docs/robust.md; seed spec §1.2).</summary>
/// <param name="Name">The class name, e.g. <c>Summarization</c>.</param>
/// <param name="InputTokens">Input tokens per query h_i.</param>
/// <param name="OutputTokens">Output tokens per query f_i.</param>
/// <param name="ArrivalRatePerHour">Queries per hour λ_i.</param>
/// <param name="DelayThresholdMilliseconds">The delay limit Δ_i, in ms.</param>
/// <param name="ErrorThreshold">The error-rate limit ε_i, a fraction.</param>
/// <param name="ComputeDemandAlpha">The compute use α_i per token ("TFLOPs per 1000 tokens" in the seed, which multiplies it
/// by raw tokens).</param>
/// <param name="TokenSizeMegabytes">The storage of one token θ_i, in MB.</param>
/// <param name="DelayPenaltyPerMillisecond">The delay penalty ρ_i, in $ per ms per query.</param>
/// <param name="UnmetPenalty">The penalty φ_i per unmet query, in $ (the seed's value, already × 0.1).</param>
public sealed record QueryClass(
    string Name,
    int InputTokens,
    int OutputTokens,
    int ArrivalRatePerHour,
    double DelayThresholdMilliseconds,
    double ErrorThreshold,
    double ComputeDemandAlpha,
    double TokenSizeMegabytes,
    double DelayPenaltyPerMillisecond,
    double UnmetPenalty)
{
    /// <summary>Gets the tokens per query r_i = h_i + f_i.</summary>
    public int Tokens => InputTokens + OutputTokens;
}

/// <summary>A model j that can serve queries.</summary>
/// <param name="Name">The model name.</param>
/// <param name="SizeGigabytes">Its weights B_j, in GB.</param>
/// <param name="KvGigabytesPerToken">Its KV cache per token β_j, in GB.</param>
public sealed record RobustModel(string Name, double SizeGigabytes, double KvGigabytesPerToken);

/// <summary>A GPU tier k: a GPU at a precision, rented per GPU.</summary>
/// <param name="Name">The tier name, e.g. <c>H100_80GB_INT8</c>.</param>
/// <param name="Gpu">The GPU.</param>
/// <param name="Precision">The precision (<c>FP16</c>, <c>INT8</c>, <c>INT4</c>).</param>
/// <param name="MemoryGigabytes">Memory per GPU C^gpu_k, in GB.</param>
/// <param name="ComputeTflops">Compute per GPU P^gpu_k, in the seed's "TFLOPs".</param>
/// <param name="PricePerHour">Rental p^c_k, in $ per GPU-hour.</param>
public sealed record GpuTier(string Name, string Gpu, string Precision, double MemoryGigabytes, double ComputeTflops, double PricePerHour);

/// <summary>The scalars of an instance.</summary>
/// <param name="Budget">The budget δ, in $.</param>
/// <param name="HorizonHours">The rental period ΔT, in hours.</param>
/// <param name="StorageCapacityGigabytes">The storage capacity C^s, in GB.</param>
/// <param name="StoragePricePerGigabyteHour">The storage price p^s, in $ per GB-hour.</param>
/// <param name="KvResidencyTime">The KV residency time T^res (the seed's constant 0.1, unit not stated).</param>
/// <param name="GammaDelay">The delay uncertainty budget Γ_d per query class.</param>
/// <param name="GammaError">The error uncertainty budget Γ_e per query class.</param>
/// <param name="BigM">The seed's big-M (stored, unused by the model).</param>
public sealed record RobustScalars(
    double Budget,
    double HorizonHours,
    double StorageCapacityGigabytes,
    double StoragePricePerGigabyteHour,
    double KvResidencyTime,
    double GammaDelay,
    double GammaError,
    double BigM);

/// <summary>An immutable I × J × K table of doubles, indexed [query class, model, tier].</summary>
public sealed class Table3
{
    private readonly double[] _values;

    /// <summary>Initializes a new instance of the <see cref="Table3"/> class from values in C order (i, then j, then k).</summary>
    /// <param name="classes">I.</param>
    /// <param name="models">J.</param>
    /// <param name="tiers">K.</param>
    /// <param name="values">I·J·K values, copied.</param>
    public Table3(int classes, int models, int tiers, IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = [.. values];
        if (_values.Length != classes * models * tiers)
        {
            throw new ArgumentException($"Expected {classes} × {models} × {tiers} values, got {_values.Length}.", nameof(values));
        }

        Classes = classes;
        Models = models;
        Tiers = tiers;
    }

    /// <summary>Gets I.</summary>
    public int Classes { get; }

    /// <summary>Gets J.</summary>
    public int Models { get; }

    /// <summary>Gets K.</summary>
    public int Tiers { get; }

    /// <summary>Gets the values in C order.</summary>
    public IReadOnlyList<double> Values => _values;

    /// <summary>Gets the value at (i, j, k).</summary>
    /// <param name="i">The query class.</param>
    /// <param name="j">The model.</param>
    /// <param name="k">The tier.</param>
    public double this[int i, int j, int k] => _values[(((i * Models) + j) * Tiers) + k];

    /// <summary>A copy with every value transformed.</summary>
    /// <param name="map">The transform.</param>
    /// <returns>The new table.</returns>
    public Table3 Select(Func<double, double> map) => new(Classes, Models, Tiers, _values.Select(map));
}

/// <summary>An instance of the robust allocation problem: query classes, models, GPU tiers, TP degrees, scalars, and the
/// nominal and worst-case-deviation delay (ms per token) and error-rate tables (seed spec §1.2; the JSON format of
/// <c>../shared/data/robust/seed42-instance.json</c>).</summary>
public sealed record RobustInstance
{
    /// <summary>Gets the instance name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets where the instance comes from.</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>Gets free-text notes.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Gets the query classes i.</summary>
    public required IReadOnlyList<QueryClass> QueryClasses { get; init; }

    /// <summary>Gets the models j.</summary>
    public required IReadOnlyList<RobustModel> Models { get; init; }

    /// <summary>Gets the GPU tiers k.</summary>
    public required IReadOnlyList<GpuTier> Tiers { get; init; }

    /// <summary>Gets the tensor-parallel degrees n.</summary>
    public required IReadOnlyList<int> TpDegrees { get; init; }

    /// <summary>Gets the scalars.</summary>
    public required RobustScalars Scalars { get; init; }

    /// <summary>Gets the nominal delay d̄_ijk, in ms per token.</summary>
    public required Table3 DelayNominal { get; init; }

    /// <summary>Gets the worst-case delay deviation d̂_ijk, in ms per token.</summary>
    public required Table3 DelayDeviation { get; init; }

    /// <summary>Gets the nominal error rate ē_ijk.</summary>
    public required Table3 ErrorNominal { get; init; }

    /// <summary>Gets the worst-case error deviation ê_ijk.</summary>
    public required Table3 ErrorDeviation { get; init; }
}
