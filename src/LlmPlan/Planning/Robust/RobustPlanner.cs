using System.Diagnostics;
using LlmPlan.Optimization;
using LlmPlan.Units;

namespace LlmPlan.Planning.Robust;

/// <summary>The outcome of a robust solve.</summary>
public enum RobustStatus
{
    /// <summary>Proven optimal (within the gap).</summary>
    Optimal,

    /// <summary>The time limit stopped the search with a feasible allocation.</summary>
    Feasible,

    /// <summary>No allocation satisfies the constraints (or none was found within the time limit).</summary>
    Infeasible,
}

/// <summary>The cost terms of an allocation, in $ over the horizon.</summary>
/// <param name="Rental">GPU rental ΔT·Σ p·y (C1).</param>
/// <param name="ModelStorage">Model storage ΔT·p^s·Σ B·z (C2, models).</param>
/// <param name="DataStorage">Token storage ΔT·p^s·Σ θ·r·λ·x (C2, data).</param>
/// <param name="NominalDelay">The nominal delay penalty Σ ρ·λ·d·r·x/n (C3, corrected formulation only).</param>
/// <param name="RobustDelay">The worst-case delay-penalty deviation ϱ.</param>
/// <param name="Unmet">The unmet-demand penalty Σ φ·λ·u (C4).</param>
public sealed record CostBreakdown(double Rental, double ModelStorage, double DataStorage, double NominalDelay, double RobustDelay, double Unmet)
{
    /// <summary>Gets the sum of the terms.</summary>
    public double Total => Rental + ModelStorage + DataStorage + NominalDelay + RobustDelay + Unmet;
}

/// <summary>A deployed (model, tier) pair.</summary>
/// <param name="Model">The model index j.</param>
/// <param name="Tier">The tier index k.</param>
/// <param name="TensorParallel">The TP degree (GPUs rented).</param>
/// <param name="RentalCost">Its rental over the horizon, in $.</param>
public sealed record RobustDeployment(int Model, int Tier, int TensorParallel, double RentalCost);

/// <summary>A share of a class's traffic on a pair.</summary>
/// <param name="Class">The class index i.</param>
/// <param name="Model">The model index j.</param>
/// <param name="Tier">The tier index k.</param>
/// <param name="Share">The share x in (0, 1].</param>
public sealed record RobustRoute(int Class, int Model, int Tier, double Share);

/// <summary>A constraint of the model at the solution: its left-hand side against its limit.</summary>
/// <param name="Name">What it limits, e.g. <c>memory per GPU llama-3.1-8b on H100_80GB_FP16 (TP 4)</c>.</param>
/// <param name="Used">The left-hand side, in the constraint's unit.</param>
/// <param name="Limit">The right-hand side.</param>
/// <param name="Unit">The unit (<c>$</c>, <c>GB</c>, <c>TFLOPs</c>, <c>ms</c>, or empty for fractions).</param>
public sealed record ConstraintUse(string Name, double Used, double Limit, string Unit)
{
    /// <summary>Gets the slack: limit − used.</summary>
    public double Slack => Limit - Used;
}

/// <summary>A solved robust allocation, or why there is none.</summary>
public sealed record RobustSolution
{
    /// <summary>Gets the instance solved (after any scaling).</summary>
    public required RobustInstance Instance { get; init; }

    /// <summary>Gets the options.</summary>
    public required RobustOptions Options { get; init; }

    /// <summary>Gets the status.</summary>
    public required RobustStatus Status { get; init; }

    /// <summary>Gets why it is infeasible, or empty.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>Gets the objective in $, or NaN when infeasible.</summary>
    public double Objective { get; init; } = double.NaN;

    /// <summary>Gets the relative gap between the objective and the best bound.</summary>
    public double Gap { get; init; }

    /// <summary>Gets the time spent building the model and in the solver (not waiting for it).</summary>
    public Seconds SolveTime { get; init; }

    /// <summary>Gets the cost terms.</summary>
    public CostBreakdown? Breakdown { get; init; }

    /// <summary>Gets the deployed pairs in (model, tier) order.</summary>
    public IReadOnlyList<RobustDeployment> Deployments { get; init; } = [];

    /// <summary>Gets the routes in (class, model, tier) order.</summary>
    public IReadOnlyList<RobustRoute> Routes { get; init; } = [];

    /// <summary>Gets the (class, model, tier) placements (z = 1), each charged its model's storage.</summary>
    public IReadOnlyList<(int Class, int Model, int Tier)> Placements { get; init; } = [];

    /// <summary>Gets the unmet share per class.</summary>
    public IReadOnlyList<double> Unmet { get; init; } = [];

    /// <summary>Gets the constraints with their use and slack.</summary>
    public IReadOnlyList<ConstraintUse> Constraints { get; init; } = [];
}

/// <summary>Solves robust allocation instances and reads the solution back in the instance's terms.</summary>
public static class RobustPlanner
{
    /// <summary>The solver settings that solve the seed-42 instance fastest (measured, docs/performance.md): CBC's cut rounds
    /// and heuristics cost more than they save, except the mixed-integer rounding cuts, which close the root gap of the
    /// single-route model. <see cref="Solve"/> leaves those off when traffic may split, where they cost more.</summary>
    public static SolverOptions DefaultSolverOptions { get; } = new() { Cuts = false, RoundingCuts = true, Heuristics = false };

    /// <summary>Shares below this are reported as zero.</summary>
    public const double ShareTolerance = 1e-7;

    /// <summary>Solves an instance.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="options">The formulation options.</param>
    /// <param name="solver">The solver.</param>
    /// <param name="solverOptions">The solver settings, or null for <see cref="DefaultSolverOptions"/>.</param>
    /// <param name="start">An allocation of an instance of the same shape to start the search from (its deployments, TP
    /// degrees and placements), or null. A start that is not feasible here is ignored; either way the optimum is the
    /// same, only found sooner (sensitivity sweeps start each point from its neighbour's allocation).</param>
    /// <returns>The solution.</returns>
    /// <exception cref="ArgumentException">The start is an allocation of an instance of another shape.</exception>
    public static RobustSolution Solve(RobustInstance instance, RobustOptions options, ISolver solver, SolverOptions? solverOptions = null, RobustSolution? start = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(solver);
        var clock = Stopwatch.StartNew();
        var (model, vars) = RobustFormulation.Build(instance, options);
        TimeSpan build = clock.Elapsed;
        solverOptions ??= DefaultSolverOptions;
        if (options.SplitTraffic)
        {
            solverOptions = solverOptions with { RoundingCuts = false };
        }
        if (start is { Status: not RobustStatus.Infeasible })
        {
            solverOptions = solverOptions with { Start = Start(model, vars, instance, start) };
        }

        SolverResult result = solver.Solve(model, solverOptions);

        // The solver's own time, not the wall clock around it: in a parallel sweep a solve may wait for another's.
        Seconds elapsed = Seconds.FromSeconds(build.TotalSeconds) + result.Elapsed;
        if (result.Status is SolverStatus.Error or SolverStatus.Unbounded)
        {
            // Every variable is bounded and the model always has a feasible point or a proof of infeasibility, so these
            // are solver failures, not answers.
            throw new SolverFailedException(Invariant.Text($"CBC ended the robust model with status {result.Status}: {result.Message}"));
        }

        if (!result.HasSolution || result.Status == SolverStatus.Infeasible)
        {
            string reason = result.Status == SolverStatus.TimeLimit
                ? "the time limit ran out before any allocation satisfying every constraint was found; raise --time-limit."
                : "no allocation satisfies every constraint: " + RobustDiagnosis.Explain(instance, options);
            return new RobustSolution { Instance = instance, Options = options, Status = RobustStatus.Infeasible, Reason = reason, SolveTime = elapsed };
        }

        return Read(instance, options, vars, result, elapsed);
    }

    /// <summary>The integer columns of an allocation (q, w, and z or, with one route per class, a = z·w); the solver
    /// completes the continuous ones.</summary>
    private static double[] Start(LinearModel model, RobustVariables vars, RobustInstance instance, RobustSolution start)
    {
        if (!start.Instance.TpDegrees.SequenceEqual(instance.TpDegrees) || start.Instance.QueryClasses.Count != instance.QueryClasses.Count
            || start.Instance.Models.Count != instance.Models.Count || start.Instance.Tiers.Count != instance.Tiers.Count)
        {
            throw new ArgumentException("The start is an allocation of an instance of another shape.", nameof(start));
        }

        var values = new double[model.Variables.Count];
        var degree = new Dictionary<(int Model, int Tier), int>();
        foreach (RobustDeployment d in start.Deployments)
        {
            int n = instance.TpDegrees.Select((degree, index) => (degree, index)).First(p => p.degree == d.TensorParallel).index;
            degree[(d.Model, d.Tier)] = n;
            values[vars.Deployed[d.Model, d.Tier].Index] = 1;
            values[vars.Tp[d.Model, d.Tier, n].Index] = 1;
        }

        foreach (var (i, j, k) in start.Placements)
        {
            values[vars.Routed[i, j, k].Index] = 1;
            if (vars.RoutedAtTp is { } routedAtTp && degree.TryGetValue((j, k), out int n))
            {
                values[routedAtTp[i, j, k, n].Index] = 1;
            }
        }

        return values;
    }

    private static RobustSolution Read(RobustInstance instance, RobustOptions options, RobustVariables vars, SolverResult result, Seconds elapsed)
    {
        var q = instance.QueryClasses;
        var tp = instance.TpDegrees;
        RobustScalars s = instance.Scalars;
        int ni = q.Count, nj = instance.Models.Count, nk = instance.Tiers.Count;
        double V(Variable v) => result.Value(v);

        var deployments = new List<RobustDeployment>();
        var chosenTp = new int[nj, nk];
        for (int j = 0; j < nj; j++)
        {
            for (int k = 0; k < nk; k++)
            {
                int n = Enumerable.Range(0, tp.Count).FirstOrDefault(n => V(vars.Tp[j, k, n]) > 0.5, -1);
                chosenTp[j, k] = n < 0 ? 0 : tp[n];
                if (n >= 0)
                {
                    deployments.Add(new RobustDeployment(j, k, tp[n], s.HorizonHours * instance.Tiers[k].PricePerHour * tp[n]));
                }
            }
        }

        var routes = new List<RobustRoute>();
        var placed = new List<(int Class, int Model, int Tier)>();
        double modelStorage = 0, dataStorage = 0, nominalDelay = 0;
        for (int i = 0; i < ni; i++)
        {
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    double x = V(vars.Share[i, j, k]);
                    if (V(vars.Routed[i, j, k]) > 0.5)
                    {
                        placed.Add((i, j, k));
                        modelStorage += s.HorizonHours * s.StoragePricePerGigabyteHour * instance.Models[j].SizeGigabytes;
                    }

                    dataStorage += s.HorizonHours * s.StoragePricePerGigabyteHour * q[i].TokenSizeMegabytes * q[i].Tokens * q[i].ArrivalRatePerHour * x;
                    if (x > ShareTolerance)
                    {
                        routes.Add(new RobustRoute(i, j, k, x));
                        if (options.Formulation == FormulationKind.Corrected)
                        {
                            nominalDelay += q[i].DelayPenaltyPerMillisecond * q[i].ArrivalRatePerHour * q[i].Tokens * instance.DelayNominal[i, j, k] * x / chosenTp[j, k];
                        }
                    }
                }
            }
        }

        double[] unmet = [.. vars.Unmet.Select(u => Math.Max(0, V(u)))];
        var breakdown = new CostBreakdown(
            deployments.Sum(d => d.RentalCost),
            modelStorage,
            dataStorage,
            nominalDelay,
            V(vars.RobustDelay),
            Enumerable.Range(0, ni).Sum(i => q[i].UnmetPenalty * q[i].ArrivalRatePerHour * unmet[i]));
        return new RobustSolution
        {
            Instance = instance,
            Options = options,
            Status = result.Status == SolverStatus.Optimal ? RobustStatus.Optimal : RobustStatus.Feasible,
            Objective = result.Objective,
            Gap = result.RelativeGap,
            SolveTime = elapsed,
            Breakdown = breakdown,
            Deployments = deployments,
            Routes = routes,
            Unmet = unmet,
            Placements = placed,
            Constraints = RobustConstraints.Uses(instance, options, deployments, routes, placed, unmet),
        };
    }
}
