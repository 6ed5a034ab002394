using LlmPlan.Units;

namespace LlmPlan.Planning.Fleet;

/// <summary>How a fleet plan ended.</summary>
public enum FleetStatus
{
    /// <summary>The cheapest fleet, proven.</summary>
    Optimal,

    /// <summary>A fleet that serves the load, not proven cheapest (the time limit stopped the search).</summary>
    Feasible,

    /// <summary>No fleet serves the load; <see cref="FleetPlan.Reason"/> says why.</summary>
    Infeasible,
}

/// <summary>The units of one option in a plan.</summary>
/// <param name="Option">The option.</param>
/// <param name="Count">The units bought.</param>
/// <param name="CostPerHour">Their price per hour.</param>
/// <param name="Load">The load routed to them, in units kept fully busy (at most Count × utilisation).</param>
public sealed record FleetAllocation(FleetOption Option, int Count, DollarsPerHour CostPerHour, double Load);

/// <summary>A share of one bucket's requests routed to one option.</summary>
/// <param name="Bucket">The bucket.</param>
/// <param name="Option">The option serving it.</param>
/// <param name="Slices">How many of the bucket's equal slices it serves.</param>
/// <param name="Rate">The request rate it serves.</param>
/// <param name="Load">That rate ÷ one unit's capacity for the bucket, in units.</param>
public sealed record FleetAssignment(FleetBucket Bucket, FleetOption Option, int Slices, RequestsPerSecond Rate, double Load);

/// <summary>The fleet made of one option only, for comparison.</summary>
/// <param name="Option">The option.</param>
/// <param name="Count">The units needed, or null when this option alone cannot serve the load.</param>
/// <param name="CostPerHour">Their price, or null.</param>
/// <param name="Problem">Why the option alone cannot serve the load, or empty.</param>
public sealed record SingleTypeFleet(FleetOption Option, int? Count, DollarsPerHour? CostPerHour, string Problem);

/// <summary>The cheapest fleet for a <see cref="FleetProblem"/>, or why none exists.</summary>
public sealed record FleetPlan
{
    /// <summary>Gets how the plan ended.</summary>
    public required FleetStatus Status { get; init; }

    /// <summary>Gets why no fleet exists, or empty.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets the units per option, in the problem's option order (empty when infeasible).</summary>
    public required IReadOnlyList<FleetAllocation> Allocations { get; init; }

    /// <summary>Gets the price of the whole fleet per hour.</summary>
    public required DollarsPerHour CostPerHour { get; init; }

    /// <summary>Gets where each bucket's requests go, bucket by bucket, options in problem order.</summary>
    public required IReadOnlyList<FleetAssignment> Assignments { get; init; }

    /// <summary>Gets the single-option fleets, in option order.</summary>
    public required IReadOnlyList<SingleTypeFleet> SingleType { get; init; }

    /// <summary>Gets the solver's name and version.</summary>
    public required string Solver { get; init; }

    /// <summary>Gets the branch-and-bound nodes of the solve that decided the plan: the exact search's node relaxations
    /// (0 when its bounds and quick split decided every count vector; docs/fleet.md §11), or the solver's nodes when it
    /// solved the integer program.</summary>
    public long Nodes { get; init; }

    /// <summary>Gets the time the solver took (building and solving the model; not reading inputs).</summary>
    public required Seconds SolveTime { get; init; }

    /// <summary>Gets the relative gap between the plan's cost and the best bound (0 when optimal).</summary>
    public required double Gap { get; init; }

    /// <summary>Gets the cheapest single-option fleet, or null when no option can serve the load alone.</summary>
    public SingleTypeFleet? BestSingleType => SingleType.Where(s => s.CostPerHour is not null).MinBy(s => s.CostPerHour!.Value.Value);

    /// <summary>Gets the share of the cheapest single-option fleet's price the plan saves, (single − plan) / single, or
    /// null when there is no plan or no priced single-option fleet.</summary>
    public double? SavingsOverBestSingleType =>
        Status != FleetStatus.Infeasible && BestSingleType?.CostPerHour is { } single && single.Value > 0
            ? (single.Value - CostPerHour.Value) / single.Value
            : null;
}
