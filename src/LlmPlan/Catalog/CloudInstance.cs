using LlmPlan.Units;

namespace LlmPlan.Catalog;

/// <summary>How a provider quotes a price.</summary>
public enum PriceBasis
{
    /// <summary>The price is for the whole instance per hour.</summary>
    Instance,

    /// <summary>The price is per GPU per hour; the instance costs the price times its GPU count.</summary>
    Gpu,
}

/// <summary>How the GPUs inside one instance talk to each other.</summary>
public enum Interconnect
{
    /// <summary>Over PCIe only (no GPU-to-GPU link, or a single GPU).</summary>
    Pcie,

    /// <summary>Over NVLink/NVSwitch (or AMD Infinity Fabric) at the GPU's link bandwidth.</summary>
    Nvlink,
}

/// <summary>A rentable cloud machine: a number of one GPU type, a price and the links between its GPUs.</summary>
public sealed record CloudInstance
{
    /// <summary>Gets the provider id (<c>aws</c>, <c>gcp</c>, <c>azure</c>, <c>lambda</c>, <c>coreweave</c>, <c>nebius</c>).</summary>
    public required string Provider { get; init; }

    /// <summary>Gets the instance name, unique in the catalog, e.g. <c>p4d.24xlarge</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the GPU in the instance.</summary>
    public required GpuSpec Gpu { get; init; }

    /// <summary>Gets the number of GPUs.</summary>
    public required int GpuCount { get; init; }

    /// <summary>Gets the price as the provider quotes it (see <see cref="PriceBasis"/>).</summary>
    public required DollarsPerHour QuotedPrice { get; init; }

    /// <summary>Gets whether <see cref="QuotedPrice"/> is per instance or per GPU.</summary>
    public required PriceBasis PriceBasis { get; init; }

    /// <summary>Gets a value indicating whether GPUs are rented one by one (pay for the GPUs used), as in the placement
    /// seed's per-GPU-type pools; false (the default) when whole instances are rented.</summary>
    public bool BilledPerGpu { get; init; }

    /// <summary>Gets the GPU-to-GPU interconnect inside the instance.</summary>
    public required Interconnect Interconnect { get; init; }

    /// <summary>Gets the number of virtual CPUs, when known.</summary>
    public int? Vcpus { get; init; }

    /// <summary>Gets the host memory, when known.</summary>
    public Bytes? HostMemory { get; init; }

    /// <summary>Gets the instance network bandwidth, when known.</summary>
    public BytesPerSecond? NetworkBandwidth { get; init; }

    /// <summary>Gets the region the price is from, or empty.</summary>
    public required string Region { get; init; }

    /// <summary>Gets the public source of the row.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the date the price was captured.</summary>
    public required DateOnly Captured { get; init; }

    /// <summary>Gets the price of the whole instance per hour.</summary>
    public DollarsPerHour PricePerInstance => PriceBasis == PriceBasis.Gpu ? QuotedPrice * GpuCount : QuotedPrice;

    /// <summary>Gets the price per GPU per hour (the instance price over its GPU count, host included).</summary>
    public DollarsPerHour PricePerGpu => PriceBasis == PriceBasis.Gpu ? QuotedPrice : QuotedPrice / GpuCount;

    /// <summary>The price of using <paramref name="gpusUsed"/> GPUs of one such machine: the GPUs alone when billed per
    /// GPU, else the whole instance.</summary>
    /// <param name="gpusUsed">The GPUs the deployment uses on the machine.</param>
    /// <returns>The price per hour.</returns>
    public DollarsPerHour PriceFor(int gpusUsed) => BilledPerGpu ? PricePerGpu * gpusUsed : PricePerInstance;

    /// <summary>Gets the bandwidth of one direction between two GPUs of this instance.</summary>
    public BytesPerSecond IntraInstanceBandwidth =>
        Interconnect == Interconnect.Nvlink && Gpu.HasNvlink ? Gpu.NvlinkBandwidthPerDirection : Gpu.PcieBandwidthPerDirection;
}
