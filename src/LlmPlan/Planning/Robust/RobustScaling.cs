namespace LlmPlan.Planning.Robust;

/// <summary>A parameter of an instance that a sensitivity analysis multiplies (the seed's sweeps, spec §4).</summary>
public enum ScaledParameter
{
    /// <summary>Every tier's price p^c_k.</summary>
    GpuPrice,

    /// <summary>The budget δ.</summary>
    Budget,

    /// <summary>Every class's delay limit Δ_i.</summary>
    DelayThreshold,

    /// <summary>Every class's error-rate limit ε_i.</summary>
    ErrorThreshold,

    /// <summary>Every tier's memory per GPU C^gpu_k.</summary>
    GpuMemory,
}

/// <summary>Multiplies instance parameters by factors.</summary>
public static class RobustScaling
{
    /// <summary>The command-line names of the parameters, in the order of <see cref="ScaledParameter"/>.</summary>
    public static readonly IReadOnlyList<(string Name, ScaledParameter Parameter)> Names =
    [
        ("gpu-price", ScaledParameter.GpuPrice),
        ("budget", ScaledParameter.Budget),
        ("delay-threshold", ScaledParameter.DelayThreshold),
        ("error-threshold", ScaledParameter.ErrorThreshold),
        ("gpu-memory", ScaledParameter.GpuMemory),
    ];

    /// <summary>Finds a parameter by its command-line name.</summary>
    /// <param name="name">The name, e.g. <c>gpu-price</c>.</param>
    /// <returns>The parameter, or null.</returns>
    public static ScaledParameter? Find(string name) =>
        Names.Where(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)).Select(n => (ScaledParameter?)n.Parameter).FirstOrDefault();

    /// <summary>The command-line name of a parameter.</summary>
    /// <param name="parameter">The parameter.</param>
    /// <returns>The name.</returns>
    public static string NameOf(ScaledParameter parameter) => Names.First(n => n.Parameter == parameter).Name;

    /// <summary>The instance with one parameter multiplied by a factor.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="parameter">The parameter.</param>
    /// <param name="factor">The factor, &gt; 0.</param>
    /// <returns>The scaled instance.</returns>
    public static RobustInstance Scale(RobustInstance instance, ScaledParameter parameter, double factor)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return parameter switch
        {
            ScaledParameter.GpuPrice => instance with { Tiers = [.. instance.Tiers.Select(t => t with { PricePerHour = t.PricePerHour * factor })] },
            ScaledParameter.Budget => instance with { Scalars = instance.Scalars with { Budget = instance.Scalars.Budget * factor } },
            ScaledParameter.DelayThreshold => instance with { QueryClasses = [.. instance.QueryClasses.Select(q => q with { DelayThresholdMilliseconds = q.DelayThresholdMilliseconds * factor })] },
            ScaledParameter.ErrorThreshold => instance with { QueryClasses = [.. instance.QueryClasses.Select(q => q with { ErrorThreshold = q.ErrorThreshold * factor })] },
            ScaledParameter.GpuMemory => instance with { Tiers = [.. instance.Tiers.Select(t => t with { MemoryGigabytes = t.MemoryGigabytes * factor })] },
            _ => throw new ArgumentOutOfRangeException(nameof(parameter), parameter, "Unknown parameter."),
        };
    }
}
