using LlmPlan.Units;

namespace LlmPlan.Planning.Fleet;

/// <summary>One kind of serving unit the fleet can be built from: a GPU type (or a TP group of GPUs, or an instance)
/// with its price and the request rate one unit sustains in each bucket at the latency SLO.</summary>
public sealed record FleetOption
{
    /// <summary>Gets the option's name, e.g. <c>A10G</c> or <c>g6e.12xlarge TP 2</c>; unique in a problem.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the price of one unit per hour.</summary>
    public required DollarsPerHour CostPerHour { get; init; }

    /// <summary>Gets the rate one unit sustains for requests of each bucket (in bucket order); zero means it cannot serve
    /// the bucket within the SLO.</summary>
    public required IReadOnlyList<RequestsPerSecond> Capacity { get; init; }

    /// <summary>Gets the fewest units to buy (redundancy), 0 by default.</summary>
    public int MinCount { get; init; }

    /// <summary>Gets the most units available (a quota), or null for no limit.</summary>
    public int? MaxCount { get; init; }
}

/// <summary>One cell of the request-size histogram: requests whose input and output lengths fall in one range each.</summary>
public sealed record FleetBucket
{
    /// <summary>Gets the bucket's label, e.g. <c>in 26-100 / out 101-250</c> or <c>(input 1, output 2)</c>.</summary>
    public required string Label { get; init; }

    /// <summary>Gets the 0-based row (input-length bucket).</summary>
    public required int Row { get; init; }

    /// <summary>Gets the 0-based column (output-length bucket).</summary>
    public required int Column { get; init; }

    /// <summary>Gets the request rate that arrives in this bucket (its share of the distribution × the total rate).</summary>
    public required RequestsPerSecond Rate { get; init; }
}

/// <summary>The fleet-sizing problem: route every bucket's requests to option types and buy whole units of each so
/// that every type's load fits its units, at the least cost per hour.</summary>
public sealed record FleetProblem
{
    /// <summary>Gets the options, in input order.</summary>
    public required IReadOnlyList<FleetOption> Options { get; init; }

    /// <summary>Gets the buckets, row-major.</summary>
    public required IReadOnlyList<FleetBucket> Buckets { get; init; }

    /// <summary>Gets the number of equal slices each bucket may be split into across option types (Mélange's
    /// <c>slice_factor</c>); 1 sends a whole bucket to one type.</summary>
    public int SliceFactor { get; init; } = 1;

    /// <summary>Gets the share of each unit's capacity the plan may use (1 = fully loaded; 0.8 keeps 20 % headroom).</summary>
    public double Utilization { get; init; } = 1.0;

    /// <summary>Gets the total request rate.</summary>
    public RequestsPerSecond TotalRate => Buckets.Select(b => b.Rate).Total();
}
