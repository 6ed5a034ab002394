using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Units;

namespace LlmPlan.Planning.Fleet;

/// <summary>A serving unit to consider: a catalog GPU (a TP group of them, priced per GPU) or a catalog instance (all of
/// its GPUs, as instance GPUs ÷ TP replicas, priced per instance or per GPU used as the provider bills).</summary>
public sealed record FleetCandidate
{
    /// <summary>Gets the unit's name in reports, e.g. <c>L4</c>, <c>H100-SXM-80GB TP 2</c> or <c>g6e.12xlarge</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the hardware: the GPU and, for an instance, the instance.</summary>
    public required Hardware Hardware { get; init; }

    /// <summary>Gets the TP degree of each replica.</summary>
    public required int TensorParallel { get; init; }

    /// <summary>Gets a price that replaces the catalog's, or null.</summary>
    public DollarsPerHour? CostPerHour { get; init; }

    /// <summary>Gets the fewest units to buy.</summary>
    public int MinCount { get; init; }

    /// <summary>Gets the most units available, or null.</summary>
    public int? MaxCount { get; init; }
}

/// <summary>A fleet to plan from the performance model instead of profiled throughputs.</summary>
public sealed record FleetSpec
{
    /// <summary>Gets the model served.</summary>
    public required ModelArchitecture Model { get; init; }

    /// <summary>Gets the weight precision.</summary>
    public Precision Weights { get; init; } = Precision.Bf16;

    /// <summary>Gets the KV-cache precision.</summary>
    public Precision KvCache { get; init; } = Precision.Bf16;

    /// <summary>Gets the candidates, in file order.</summary>
    public required IReadOnlyList<FleetCandidate> Candidates { get; init; }

    /// <summary>Gets the upper edges of the input-length buckets, ascending (bucket i holds lengths in (edge i−1, edge i]).</summary>
    public required IReadOnlyList<int> InputEdges { get; init; }

    /// <summary>Gets the upper edges of the output-length buckets, ascending.</summary>
    public required IReadOnlyList<int> OutputEdges { get; init; }

    /// <summary>Gets the share of requests in each (input bucket, output bucket), rows = input buckets.</summary>
    public required IReadOnlyList<IReadOnlyList<double>> Distribution { get; init; }

    /// <summary>Gets the total request rate.</summary>
    public required RequestsPerSecond Rate { get; init; }

    /// <summary>Gets the slices per bucket.</summary>
    public int SliceFactor { get; init; } = 4;

    /// <summary>Gets the share of each unit's capacity the plan may use.</summary>
    public double Utilization { get; init; } = 1.0;

    /// <summary>Gets the time-to-first-token SLO, or null for none.</summary>
    public Seconds? TimeToFirstToken { get; init; }

    /// <summary>Gets the time-per-output-token SLO, or null for none.</summary>
    public Seconds? TimePerOutputToken { get; init; }
}
