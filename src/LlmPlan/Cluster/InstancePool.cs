using LlmPlan.Catalog;

namespace LlmPlan.Cluster;

/// <summary>A number of machines of one instance type available to a plan.</summary>
/// <param name="Instance">The instance type (GPU, GPU count, price, interconnect).</param>
/// <param name="Count">How many such machines are available, at least 1.</param>
public sealed record PoolEntry(CloudInstance Instance, int Count);

/// <summary>The machines available to a plan, in file order. Global GPU ids are assigned consecutively in that order
/// (machine by machine), as the placement seed does.</summary>
/// <param name="Entries">The entries; instance names are unique.</param>
public sealed record InstancePool(IReadOnlyList<PoolEntry> Entries)
{
    /// <summary>Gets the total number of GPUs.</summary>
    public int GpuCount => Entries.Sum(e => e.Count * e.Instance.GpuCount);

    /// <summary>Gets every machine as (key <c>name#index</c>, instance, first global GPU id), in global-id order.</summary>
    public IReadOnlyList<(string Key, CloudInstance Instance, int FirstGpu)> Machines
    {
        get
        {
            var machines = new List<(string, CloudInstance, int)>();
            int next = 0;
            foreach (PoolEntry entry in Entries)
            {
                for (int i = 0; i < entry.Count; i++)
                {
                    machines.Add((Invariant.Text($"{entry.Instance.Name}#{i}"), entry.Instance, next));
                    next += entry.Instance.GpuCount;
                }
            }

            return machines;
        }
    }
}

/// <summary>Bandwidth between any two GPUs of a pool, by global GPU id (the seed's network_bandwidth.csv), in one
/// direction.</summary>
public sealed record NetworkMatrix
{
    private readonly Units.BytesPerSecond[] _bandwidth;

    /// <summary>Initializes a new instance from a square row-major array.</summary>
    /// <param name="gpuCount">The number of GPUs (rows and columns).</param>
    /// <param name="bandwidth">gpuCount² entries, row-major.</param>
    public NetworkMatrix(int gpuCount, IReadOnlyList<Units.BytesPerSecond> bandwidth)
    {
        ArgumentNullException.ThrowIfNull(bandwidth);
        ArgumentOutOfRangeException.ThrowIfNotEqual(bandwidth.Count, gpuCount * gpuCount);
        GpuCount = gpuCount;
        _bandwidth = [.. bandwidth];
    }

    /// <summary>Gets the number of GPUs.</summary>
    public int GpuCount { get; }

    /// <summary>Gets the bandwidth from one GPU to another.</summary>
    /// <param name="from">The sending GPU's global id.</param>
    /// <param name="to">The receiving GPU's global id.</param>
    /// <returns>The bandwidth.</returns>
    public Units.BytesPerSecond Between(int from, int to) => _bandwidth[(from * GpuCount) + to];
}
