namespace LlmPlan.Planning.Fleet;

/// <summary>An exact search for the fleet problem of <see cref="FleetPlanner"/> (docs/fleet.md §11): the unit counts of
/// every option are tried in order of cost, and the first counts whose units can carry every bucket's slices are the
/// proven optimum.</summary>
/// <remarks>
/// For fixed counts y, slices fit when each bucket's F slices can be split over the options that serve it with every
/// option's load at most u·y(g). Counts are ruled out by necessary conditions: for a weight vector π ≥ 0,
/// Σ_b F·min_g π(g)·w(b,g) ≤ Σ_g π(g)·room(g), with w(b,g) the load of one slice. The weights are the prices (the LP
/// bound), the indicator of every set of options (the buckets only that set serves must fit its room), and weights
/// raised multiplicatively towards the overloaded options from 1/capacity (the Lagrangian dual of the split's LP). A
/// quick split (each bucket on its cheapest option under π, then slices moved off overloaded options) is tried next and
/// checked from scratch. Failing both, a branch and bound decides (<see cref="Packing"/>): at every node the split's LP
/// relaxation is solved exactly (<see cref="Optimization.DenseSimplex"/>) and its row prices are the π of the condition
/// above, checked in our own arithmetic; pairs that π proves empty are barred, and a node that passes is rounded and
/// repaired, or else branches over every split of a fractional bucket within the bound. Counts it rejects have no
/// fitting split. It gives up (null) past a node budget or when there are too many counts or splits to try; the planner
/// then solves the integer program instead.
/// </remarks>
internal static partial class FleetSearch
{
    /// <summary>The name the plan reports when the search found the fleet.</summary>
    public const string Name = "exact fleet search";

    private const int MaxCandidates = 200_000;
    private const long NodeBudget = 20_000;
    private const int MaxSubsetOptions = 8;
    private const int AscentSteps = 60;
    private const int MaxChildren = 20_000;

    /// <summary>The outcome of a search that finished: the counts and slice split of an optimum, or none (infeasible).</summary>
    /// <param name="Counts">Units per option, or null when no counts within the quotas can carry the load.</param>
    /// <param name="Slices">Slices per (bucket, option), or null with <paramref name="Counts"/>.</param>
    /// <param name="Nodes">The branch-and-bound nodes the search solved an LP relaxation at (0 when the bounds and
    /// the quick split decided every count vector).</param>
    internal sealed record Outcome(int[]? Counts, int[,]? Slices, long Nodes);

    /// <summary>Searches for the cheapest fleet.</summary>
    /// <param name="problem">A problem that passed the planner's checks (every bucket with requests has an option).</param>
    /// <returns>The outcome, or null when the search gave up.</returns>
    public static Outcome? Solve(FleetProblem problem)
    {
        int options = problem.Options.Count;
        int f = problem.SliceFactor;
        double u = problem.Utilization;
        var active = Enumerable.Range(0, problem.Buckets.Count).Where(b => problem.Buckets[b].Rate.Value > 0).ToArray();
        var weight = new double[active.Length, options];
        for (int k = 0; k < active.Length; k++)
        {
            for (int g = 0; g < options; g++)
            {
                double c = problem.Options[g].Capacity[active[k]].Value;
                weight[k, g] = c > 0 ? problem.Buckets[active[k]].Rate.Value / f / c : double.PositiveInfinity;
            }
        }

        if (Enumerable.Range(0, active.Length).Any(k => Enumerable.Range(0, options).All(g => !double.IsFinite(weight[k, g]))))
        {
            // A bucket with requests that no option serves.
            return new Outcome(null, null, 0);
        }

        var low = new int[options];
        var high = new int[options];
        var serves = new bool[options];
        for (int g = 0; g < options; g++)
        {
            FleetOption o = problem.Options[g];
            double all = 0;
            for (int k = 0; k < active.Length; k++)
            {
                all += double.IsFinite(weight[k, g]) ? weight[k, g] * f : 0;
            }

            // More units than carry every bucket it can serve are never needed.
            low[g] = o.MinCount;
            serves[g] = Enumerable.Range(0, active.Length).All(k => double.IsFinite(weight[k, g]));
            high[g] = Math.Max(o.MinCount, (int)Math.Ceiling((all / u) - FleetPlanner.LoadRoundingTolerance));
            if (o.MaxCount is int quota)
            {
                // Alone, g carries everything only within its quota.
                serves[g] &= high[g] <= quota;
                high[g] = Math.Min(high[g], quota);
            }
        }

        var candidates = Candidates(problem, low, high, serves);
        if (candidates is null)
        {
            return null;
        }

        var search = new Packing(weight, f, u, problem.Options.Select(o => o.CostPerHour.Value).ToArray());
        foreach (int[] counts in candidates)
        {
            bool? fits = search.Fit(counts);
            if (fits is null)
            {
                return null;
            }

            if (fits.Value)
            {
                var slices = new int[problem.Buckets.Count, options];
                for (int k = 0; k < active.Length; k++)
                {
                    for (int g = 0; g < options; g++)
                    {
                        slices[active[k], g] = search.Split[k, g];
                    }
                }

                return new Outcome(counts, slices, search.Nodes);
            }
        }

        return new Outcome(null, null, search.Nodes);
    }

    /// <summary>Every count vector within the bounds that is no dearer than the cheapest single-option fleet (when there
    /// is one), cheapest first (ties in lexicographic order), or null when there are too many.</summary>
    private static List<int[]>? Candidates(FleetProblem problem, int[] low, int[] high, bool[] serves)
    {
        int options = problem.Options.Count;
        var price = problem.Options.Select(o => o.CostPerHour.Value).ToArray();
        double floor = Enumerable.Range(0, options).Sum(g => price[g] * low[g]);
        double bound = double.PositiveInfinity;
        for (int g = 0; g < options; g++)
        {
            // All load on g, every other option at its minimum, is a fleet when g serves every bucket within its quota.
            if (serves[g])
            {
                bound = Math.Min(bound, floor + (price[g] * (high[g] - low[g])));
            }
        }

        bound += double.IsFinite(bound) ? 1e-9 * Math.Max(1, Math.Abs(bound)) : 0;
        var list = new List<(double Cost, int[] Counts)>();
        var current = (int[])low.Clone();
        bool Walk(int g, double cost)
        {
            if (g == options)
            {
                list.Add((cost, (int[])current.Clone()));
                return list.Count <= MaxCandidates;
            }

            for (int n = low[g]; n <= high[g]; n++)
            {
                double next = cost + (price[g] * (n - low[g]));
                if (next > bound)
                {
                    break;
                }

                current[g] = n;
                if (!Walk(g + 1, next))
                {
                    return false;
                }
            }

            current[g] = low[g];
            return true;
        }

        if (!Walk(0, floor))
        {
            return null;
        }

        list.Sort((a, b) =>
        {
            int byCost = a.Cost.CompareTo(b.Cost);
            if (byCost != 0)
            {
                return byCost;
            }

            for (int g = 0; g < options; g++)
            {
                if (a.Counts[g] != b.Counts[g])
                {
                    return a.Counts[g].CompareTo(b.Counts[g]);
                }
            }

            return 0;
        });
        return [.. list.Select(x => x.Counts)];
    }
}
