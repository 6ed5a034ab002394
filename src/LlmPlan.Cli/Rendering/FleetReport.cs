using LlmPlan.IO.Fleet;
using LlmPlan.Planning.Fleet;

namespace LlmPlan.Cli.Rendering;

/// <summary>The human report of a fleet plan: Mélange's one-line result, then tables.</summary>
internal static class FleetReport
{
    public static void Write(TextWriter output, FleetPlan plan, FleetProblem problem, IReadOnlyList<CandidateProfile>? profiles)
    {
        output.WriteLine(FleetPlanWriter.MelangeLine(plan));
        output.WriteLine(Invariant.Text($"{problem.TotalRate.Value:0.####} requests/s over {problem.Buckets.Count(b => b.Rate.Value > 0)} buckets with requests, slice factor {problem.SliceFactor}, utilisation {problem.Utilization * 100:0.#} %; solver {plan.Solver}{(plan.Nodes > 0 ? Invariant.Text($", {plan.Nodes} node{(plan.Nodes == 1 ? string.Empty : "s")}") : string.Empty)}"));
        if (profiles is not null)
        {
            Tables.Write(
                output,
                "Capacity per unit from the performance model (requests/s within the SLOs, at each bucket's upper edges)",
                ["candidate", "replicas", "$/h", "buckets served", "min req/s", "max req/s", "problem"],
                profiles.Select(p => (IReadOnlyList<string>)
                [
                    p.Candidate.Name,
                    Invariant.Text($"{p.Replicas}"),
                    FleetPlanWriter.Money(p.CostPerHour.Value),
                    Invariant.Text($"{p.Capacity.Count(c => c.Value > 0)} of {p.Capacity.Count}"),
                    p.Capacity.Any(c => c.Value > 0) ? Invariant.Fixed(p.Capacity.Where(c => c.Value > 0).Min(c => c.Value), 3) : "-",
                    p.Capacity.Any(c => c.Value > 0) ? Invariant.Fixed(p.Capacity.Max(c => c.Value), 3) : "-",
                    p.Problem,
                ]),
                new HashSet<int> { 1, 2, 4, 5 });
        }

        if (plan.Status == FleetStatus.Infeasible)
        {
            output.WriteLine($"infeasible: {plan.Reason}");
        }
        else
        {
            output.WriteLine(plan.Status == FleetStatus.Optimal ? "status: optimal (proven cheapest)" : Invariant.Text($"status: feasible (time limit; gap {plan.Gap * 100:0.##} %)"));
            Tables.Write(
                output,
                "Fleet",
                ["GPU", "units", "$/h", "load (units)", "busy", "buckets (slices)"],
                plan.Allocations.Select(a => (IReadOnlyList<string>)
                [
                    a.Option.Name,
                    Invariant.Text($"{a.Count}"),
                    FleetPlanWriter.Money(a.CostPerHour.Value),
                    Invariant.Fixed(a.Load, 3),
                    a.Count > 0 ? Invariant.Text($"{a.Load / a.Count * 100:0.0} %") : "-",
                    Served(plan.Assignments.Where(x => x.Option == a.Option).ToList(), problem),
                ]),
                new HashSet<int> { 1, 2, 3, 4 });
        }

        Tables.Write(
            output,
            "One GPU type only",
            ["GPU", "units", "$/h", "vs the mix"],
            plan.SingleType.Select(s => (IReadOnlyList<string>)
            [
                s.Option.Name,
                s.Count is int n ? Invariant.Text($"{n}") : "-",
                s.CostPerHour is { } c ? FleetPlanWriter.Money(c.Value) : "-",
                s.CostPerHour is { } cost && plan.Status != FleetStatus.Infeasible && cost.Value > 0 ? Versus(cost.Value, plan.CostPerHour.Value) : s.Problem,
            ]),
            new HashSet<int> { 1, 2 });
    }

    /// <summary>How the mix compares with one type alone. The single type can be cheaper only when the mix must buy other
    /// types' minimum counts or a time limit stopped the search.</summary>
    private static string Versus(double single, double mix) =>
        Math.Abs(single - mix) <= 1e-9 ? "same as the mix"
        : single > mix ? Invariant.Text($"mix saves {(single - mix) / single * 100:0.0} %")
        : Invariant.Text($"{(mix - single) / single * 100:0.0} % cheaper than the mix (which buys the minimum counts, or stopped at the time limit)");

    /// <summary>The buckets an option serves: all of them in one phrase, else up to six with their slices.</summary>
    private static string Served(IReadOnlyList<FleetAssignment> served, FleetProblem problem)
    {
        int withRequests = problem.Buckets.Count(b => b.Rate.Value > 0);
        if (served.Count == withRequests && served.All(x => x.Slices == problem.SliceFactor) && withRequests > 1)
        {
            return Invariant.Text($"all {withRequests} buckets");
        }

        string listed = string.Join("; ", served.Take(6).Select(x => Invariant.Text($"{x.Bucket.Label} ({x.Slices}/{problem.SliceFactor})")));
        return served.Count > 6 ? Invariant.Text($"{listed} and {served.Count - 6} more") : listed;
    }
}
