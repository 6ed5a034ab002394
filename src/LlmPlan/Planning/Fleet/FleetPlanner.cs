using System.Diagnostics;
using LlmPlan.Optimization;
using LlmPlan.Units;

namespace LlmPlan.Planning.Fleet;

/// <summary>Finds the cheapest mix of options for a request-size histogram (Mélange's problem, arXiv 2404.14527) with an
/// exact search over unit counts (<see cref="FleetSearch"/>), or, when the search gives up, a compact integer program
/// (docs/fleet.md §3, §11).</summary>
/// <remarks>
/// Each bucket b is cut into F equal slices; n(b,g) ∈ {0..F} slices go to option g (only where g can serve b), and
/// Σ_g n(b,g) = F. An option's load is Σ_b n(b,g)·(λ_b/F)/c(b,g) units, which must fit u·y(g) for y(g) units bought,
/// min(g) ≤ y(g) ≤ max(g). The objective is Σ_g price(g)·y(g). Mélange's formulation has one binary per (slice, option);
/// slices of one bucket are interchangeable, so counting them gives the same optimum with |buckets|·|options| integers
/// whatever F is.
/// </remarks>
public static class FleetPlanner
{
    /// <summary>The load above a whole number of units that still counts as that number (float sums such as
    /// 10.000000000000002 are 10 units).</summary>
    public const double LoadRoundingTolerance = 1e-9;

    /// <summary>The solver settings the planner uses unless told otherwise: the model's LP bound is within about 1 % of
    /// the optimum and the search tree is small, so CBC's cut rounds and heuristics cost more than they save
    /// (docs/performance.md).</summary>
    public static SolverOptions DefaultSolverOptions { get; } = new() { Cuts = false, Heuristics = false };

    /// <summary>Plans the cheapest fleet.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="solver">The MILP solver for the integer program when the search gives up.</param>
    /// <param name="options">Its limits, or null for the defaults.</param>
    /// <returns>The plan; an infeasible plan says why.</returns>
    /// <exception cref="SolverFailedException">The solver failed, or stopped before finding any fleet.</exception>
    public static FleetPlan Plan(FleetProblem problem, ISolver solver, SolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(solver);
        Check(problem);
        options ??= DefaultSolverOptions;
        var clock = Stopwatch.StartNew();
        IReadOnlyList<SingleTypeFleet> single = SingleType(problem);
        string reason = Precheck(problem);
        if (reason.Length > 0)
        {
            return Infeasible(problem, reason, single, solver.Name, 0, clock);
        }

        var (solution, by, nodes) = Solve(problem, single, solver, options);
        if (solution is null)
        {
            return Infeasible(problem, ExplainQuotas(problem, solver, options), single, by, nodes, clock);
        }

        var assignments = new List<FleetAssignment>();
        var loads = new double[problem.Options.Count];
        for (int b = 0; b < problem.Buckets.Count; b++)
        {
            FleetBucket bucket = problem.Buckets[b];
            for (int g = 0; g < problem.Options.Count; g++)
            {
                int taken = solution.Slices[b, g];
                if (taken > 0)
                {
                    RequestsPerSecond rate = bucket.Rate * ((double)taken / problem.SliceFactor);
                    double load = rate / problem.Options[g].Capacity[b];
                    loads[g] += load;
                    assignments.Add(new FleetAssignment(bucket, problem.Options[g], taken, rate, load));
                }
            }
        }

        int[] counts = solution.Counts;
        var allocations = problem.Options.Select((o, g) => new FleetAllocation(o, counts[g], o.CostPerHour * counts[g], loads[g])).ToList();
        return new FleetPlan
        {
            Status = solution.Optimal ? FleetStatus.Optimal : FleetStatus.Feasible,
            Reason = string.Empty,
            Allocations = allocations,
            CostPerHour = allocations.Select(a => a.CostPerHour).Total(),
            Assignments = assignments,
            SingleType = single,
            Solver = solution.Solver,
            Nodes = nodes,
            SolveTime = Seconds.FromSeconds(clock.Elapsed.TotalSeconds),
            Gap = solution.Optimal ? 0 : solution.Gap,
        };
    }

    /// <summary>The fleet of each option alone: ⌈Σ_b λ_b / c(b,g) / u⌉ units (within <see cref="LoadRoundingTolerance"/>),
    /// at least its minimum.</summary>
    /// <param name="problem">The problem.</param>
    /// <returns>One entry per option, in order.</returns>
    public static IReadOnlyList<SingleTypeFleet> SingleType(FleetProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var result = new List<SingleTypeFleet>(problem.Options.Count);
        foreach (FleetOption option in problem.Options)
        {
            var unserved = problem.Buckets.Where((b, i) => b.Rate.Value > 0 && option.Capacity[i].Value <= 0).Select(b => b.Label).ToList();
            if (unserved.Count > 0)
            {
                result.Add(new SingleTypeFleet(option, null, null, $"cannot serve {Join(unserved)}"));
                continue;
            }

            double load = problem.Buckets.Select((b, i) => b.Rate.Value > 0 ? b.Rate / option.Capacity[i] : 0).Sum();
            int count = Math.Max(option.MinCount, Units(load / problem.Utilization));
            if (option.MaxCount is int quota && count > quota)
            {
                result.Add(new SingleTypeFleet(option, null, null, Invariant.Text($"needs {count} units but the quota is {quota}")));
                continue;
            }

            result.Add(new SingleTypeFleet(option, count, option.CostPerHour * count, string.Empty));
        }

        return result;
    }

    /// <summary>Builds the compact model: slices per (bucket, option) and units per option.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="single">The single-option fleets, or null. The cheapest one, with the other options' minimums bought
    /// too, is a fleet, so no unit count whose price alone exceeds it can be optimal: those counts are cut from the
    /// bounds.</param>
    /// <returns>The model, the slice variable of each (bucket, option) (null where the option cannot serve the bucket
    /// or the bucket has no requests), and the unit variable of each option.</returns>
    internal static (LinearModel Model, Variable?[,] Slices, Variable[] Units) BuildModel(FleetProblem problem, IReadOnlyList<SingleTypeFleet>? single = null)
    {
        int f = problem.SliceFactor;
        var model = new LinearModel("fleet");
        double minimums = problem.Options.Sum(o => o.CostPerHour.Value * o.MinCount);
        var bound = (single ?? [])
            .Select((s, g) => (Option: g, s.Count, Cost: s.Count is int n ? minimums + (problem.Options[g].CostPerHour.Value * (n - problem.Options[g].MinCount)) : double.PositiveInfinity))
            .Where(x => x.Count is not null)
            .OrderBy(x => x.Cost)
            .FirstOrDefault();
        bool bounded = bound.Count is not null;
        var units = problem.Options
            .Select(o =>
            {
                double upper = o.MaxCount ?? double.PositiveInfinity;
                if (bounded && o.CostPerHour.Value > 0)
                {
                    // Units of o beyond what the starting fleet's price allows (with every other minimum bought) cannot
                    // be in a cheaper fleet.
                    double others = minimums - (o.CostPerHour.Value * o.MinCount);
                    upper = Math.Min(upper, Math.Floor(((bound.Cost - others) / o.CostPerHour.Value) + LoadRoundingTolerance));
                }

                return model.AddInteger($"units[{o.Name}]", o.MinCount, Math.Max(o.MinCount, upper), o.CostPerHour.Value);
            })
            .ToArray();
        var slices = new Variable?[problem.Buckets.Count, problem.Options.Count];
        var loadTerms = problem.Options.Select(_ => new List<LinearTerm>()).ToArray();
        for (int b = 0; b < problem.Buckets.Count; b++)
        {
            FleetBucket bucket = problem.Buckets[b];
            if (bucket.Rate.Value <= 0)
            {
                continue;
            }

            var assign = new List<LinearTerm>();
            for (int g = 0; g < problem.Options.Count; g++)
            {
                RequestsPerSecond capacity = problem.Options[g].Capacity[b];
                if (capacity.Value <= 0)
                {
                    continue;
                }

                Variable n = model.AddInteger($"slices[{bucket.Label}, {problem.Options[g].Name}]", 0, f);
                slices[b, g] = n;
                assign.Add(n.AsTerm());
                loadTerms[g].Add((bucket.Rate.Value / f / capacity.Value) * n);
            }

            model.AddEqual($"serve {bucket.Label}", assign, f);
        }

        for (int g = 0; g < problem.Options.Count; g++)
        {
            model.AddLessOrEqual($"capacity of {problem.Options[g].Name}", loadTerms[g].Append(-problem.Utilization * units[g]), 0);
        }

        return (model, slices, units);
    }

    /// <summary>Solves the problem exactly with <see cref="FleetSearch"/> when it finishes, else with the integer program
    /// on <paramref name="solver"/>.</summary>
    /// <returns>The fleet, or null when no fleet exists; the name of what solved it; and its branch-and-bound nodes (the
    /// search's node relaxations, or the solver's nodes).</returns>
    private static (Solution? Found, string Solver, long Nodes) Solve(FleetProblem problem, IReadOnlyList<SingleTypeFleet> single, ISolver solver, SolverOptions? options)
    {
        if (FleetSearch.Solve(problem) is FleetSearch.Outcome outcome)
        {
            return (outcome.Counts is int[] found && outcome.Slices is int[,] split ? new Solution(found, split, true, 0, FleetSearch.Name) : null, FleetSearch.Name, outcome.Nodes);
        }

        Solution? solution = SolveModel(problem, single, solver, options, out long nodes);
        return (solution, solver.Name, nodes);
    }

    /// <summary>Solves the compact integer program (docs/fleet.md §3) on <paramref name="solver"/>.</summary>
    /// <returns>The fleet, or null when the model is infeasible; <paramref name="nodes"/> gets the solver's
    /// branch-and-bound nodes.</returns>
    /// <exception cref="SolverFailedException">The solver failed, or stopped before finding any fleet.</exception>
    internal static Solution? SolveModel(FleetProblem problem, IReadOnlyList<SingleTypeFleet>? single, ISolver solver, SolverOptions? options, out long nodes)
    {
        var (model, slices, units) = BuildModel(problem, single);
        SolverResult result = solver.Solve(model, options ?? DefaultSolverOptions);
        nodes = result.Nodes;
        switch (result.Status)
        {
            case SolverStatus.Infeasible:
                return null;
            case SolverStatus.Optimal:
            case SolverStatus.Feasible:
            case SolverStatus.TimeLimit when result.HasSolution:
                break;
            default:
                throw new SolverFailedException($"{solver.Name} ended {result.Status} on the fleet model without a fleet ({result.Message}).");
        }

        var split = new int[problem.Buckets.Count, problem.Options.Count];
        for (int b = 0; b < problem.Buckets.Count; b++)
        {
            for (int g = 0; g < problem.Options.Count; g++)
            {
                split[b, g] = slices[b, g] is Variable n ? (int)Math.Round(result.Value(n)) : 0;
            }
        }

        bool optimal = result.Status == SolverStatus.Optimal;
        return new Solution([.. units.Select(v => (int)Math.Round(result.Value(v)))], split, optimal, optimal ? 0 : result.RelativeGap, solver.Name);
    }

    private static int Units(double load) => (int)Math.Max(0, Math.Ceiling(load - LoadRoundingTolerance));

    private static void Check(FleetProblem problem)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(problem.SliceFactor, 1);
        if (!(problem.Utilization > 0 && problem.Utilization <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(problem), problem.Utilization, "The utilisation must be in (0, 1].");
        }

        if (problem.Options.Any(o => o.Capacity.Count != problem.Buckets.Count))
        {
            throw new ArgumentException("Every option needs one capacity per bucket.", nameof(problem));
        }
    }

    private static string Precheck(FleetProblem problem)
    {
        var reasons = new List<string>();
        var unserved = problem.Buckets
            .Where((b, i) => b.Rate.Value > 0 && problem.Options.All(o => o.Capacity[i].Value <= 0))
            .Select(b => Invariant.Text($"{b.Label} ({b.Rate.Value:0.####} requests/s)"))
            .ToList();
        if (unserved.Count > 0)
        {
            reasons.Add($"no option can serve {Join(unserved)}: every throughput there is 0 (the SLO cannot be met). Add an option that can, relax the SLO, or remove those requests.");
        }

        foreach (FleetOption o in problem.Options.Where(o => o.MaxCount < o.MinCount))
        {
            reasons.Add(Invariant.Text($"{o.Name}: the minimum of {o.MinCount} units exceeds its quota of {o.MaxCount}."));
        }

        return string.Join(" ", reasons);
    }

    private static string ExplainQuotas(FleetProblem problem, ISolver solver, SolverOptions? options)
    {
        // Without quotas every bucket can be served (the precheck passed), so the quotas bind: show what they would need.
        FleetProblem open = problem with { Options = [.. problem.Options.Select(o => o with { MaxCount = null })] };
        Solution? free = Solve(open, SingleType(open), solver, options).Found;
        string quotas = string.Join(", ", problem.Options.Where(o => o.MaxCount is not null).Select(o => Invariant.Text($"{o.Name} ≤ {o.MaxCount}")));
        if (free is null)
        {
            return $"the quotas ({quotas}) leave too few units to carry {Invariant.Text($"{problem.TotalRate.Value:0.####}")} requests/s.";
        }

        string over = string.Join(", ", problem.Options
            .Select((o, g) => (o, Count: free.Counts[g]))
            .Where(x => x.o.MaxCount is int q && x.Count > q)
            .Select(x => Invariant.Text($"{x.o.Name} {x.Count} (quota {x.o.MaxCount})")));
        return Invariant.Text($"the quotas ({quotas}) leave too few units to carry {problem.TotalRate.Value:0.####} requests/s at {problem.Utilization:0.##} utilisation; the cheapest fleet without quotas needs {over}. Raise those quotas or add options.");
    }

    private static FleetPlan Infeasible(FleetProblem problem, string reason, IReadOnlyList<SingleTypeFleet> single, string solver, long nodes, Stopwatch clock) => new()
    {
        Nodes = nodes,
        Status = FleetStatus.Infeasible,
        Reason = reason,
        Allocations = [],
        CostPerHour = DollarsPerHour.Zero,
        Assignments = [],
        SingleType = single,
        Solver = solver,
        SolveTime = Seconds.FromSeconds(clock.Elapsed.TotalSeconds),
        Gap = double.NaN,
    };

    private static string Join(IReadOnlyList<string> labels) =>
        labels.Count <= 4 ? string.Join("; ", labels) : string.Join("; ", labels.Take(4)) + Invariant.Text($" and {labels.Count - 4} more");

    /// <summary>A fleet found by the search or the solver.</summary>
    /// <param name="Counts">Units per option.</param>
    /// <param name="Slices">Slices per (bucket, option).</param>
    /// <param name="Optimal">Whether the fleet is a proven optimum.</param>
    /// <param name="Gap">The relative gap to the best bound when it is not.</param>
    /// <param name="Solver">The name of what found it.</param>
    internal sealed record Solution(int[] Counts, int[,] Slices, bool Optimal, double Gap, string Solver);
}
