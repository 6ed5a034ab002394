using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Cluster;

/// <summary>What a uniform deployment runs on: bare GPUs of one type (priced per GPU) or instances of one type.</summary>
public sealed record Hardware
{
    private Hardware(GpuSpec gpu, CloudInstance? instance, DollarsPerHour pricePerGpu, string priceSource)
    {
        Gpu = gpu;
        Instance = instance;
        PricePerGpu = pricePerGpu;
        PriceSource = priceSource;
    }

    /// <summary>Gets the GPU type.</summary>
    public GpuSpec Gpu { get; }

    /// <summary>Gets the instance type, or null for bare GPUs.</summary>
    public CloudInstance? Instance { get; }

    /// <summary>Gets the price of one GPU per hour (for bare GPUs).</summary>
    public DollarsPerHour PricePerGpu { get; }

    /// <summary>Gets where the price comes from, for reports.</summary>
    public string PriceSource { get; }

    /// <summary>Bare GPUs, priced at the cheapest per-GPU price of a catalog instance with this GPU (of one provider
    /// when given and it rents the GPU, else of any); zero with a note when no instance has it.</summary>
    /// <param name="gpu">The GPU.</param>
    /// <param name="catalog">The catalog, for prices.</param>
    /// <param name="provider">A provider id, or null for all.</param>
    /// <returns>The hardware.</returns>
    public static Hardware ForGpu(GpuSpec gpu, HardwareCatalog catalog, string? provider)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(catalog);
        CloudInstance? cheapest = catalog.CheapestPerGpu(gpu, provider);
        return cheapest is null
            ? new Hardware(gpu, null, DollarsPerHour.Zero, $"no catalog instance has {gpu.Id}; cost not known")
            : new Hardware(gpu, null, cheapest.PricePerGpu, $"per GPU of {cheapest.Provider} {cheapest.Name}");
    }

    /// <summary>Whole instances of one type.</summary>
    /// <param name="instance">The instance type.</param>
    /// <returns>The hardware.</returns>
    public static Hardware ForInstance(CloudInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new Hardware(instance.Gpu, instance, instance.PricePerGpu, $"{instance.Provider} {instance.Name}, per instance");
    }
}
