using LlmPlan.Optimization;
using LlmPlan.Planning.Sweeps;
using LlmPlan.Units;

namespace LlmPlan.Planning.Fleet;

/// <summary>One point of a rate sweep: the plan at a total request rate.</summary>
/// <param name="Rate">The total request rate.</param>
/// <param name="Plan">The cheapest fleet at that rate (with the single-type fleets).</param>
public sealed record FleetSweepPoint(RequestsPerSecond Rate, FleetPlan Plan);

/// <summary>Plans the same fleet problem at many request rates (the figure of the Mélange paper: the cost of the mix
/// against each single GPU type as the load grows).</summary>
public static class FleetRateSweep
{
    /// <summary>Runs the sweep on the shared sweep engine.</summary>
    /// <param name="perUnitRate">The problem at a total rate of 1 request/s; every bucket rate is scaled by the rate.</param>
    /// <param name="rates">The total rates, in output order.</param>
    /// <param name="solver">The solver.</param>
    /// <param name="options">Solver limits, or null.</param>
    /// <param name="progress">Receives the count of finished points, or null.</param>
    /// <returns>One point per rate, in the order given.</returns>
    public static IReadOnlyList<FleetSweepPoint> Run(
        FleetProblem perUnitRate, IReadOnlyList<RequestsPerSecond> rates, ISolver solver, SolverOptions? options = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(perUnitRate);
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentNullException.ThrowIfNull(solver);
        return SweepEngine.Run(rates, rate => new FleetSweepPoint(rate, FleetPlanner.Plan(At(perUnitRate, rate), solver, options)), progress: progress);
    }

    /// <summary>The problem with every bucket rate multiplied by <paramref name="rate"/>.</summary>
    /// <param name="perUnitRate">The problem at 1 request/s.</param>
    /// <param name="rate">The total rate.</param>
    /// <returns>The scaled problem.</returns>
    public static FleetProblem At(FleetProblem perUnitRate, RequestsPerSecond rate)
    {
        ArgumentNullException.ThrowIfNull(perUnitRate);
        return perUnitRate with { Buckets = [.. perUnitRate.Buckets.Select(b => b with { Rate = b.Rate * rate.Value })] };
    }
}
