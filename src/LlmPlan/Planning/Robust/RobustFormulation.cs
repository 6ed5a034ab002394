using LlmPlan.Optimization;

namespace LlmPlan.Planning.Robust;

/// <summary>Which robust allocation model to build (docs/robust.md).</summary>
public enum FormulationKind
{
    /// <summary>The model that produced the seed's published results: constraints R1–R17 with u_i ≤ 0.01·λ_i, the delay
    /// limit multiplied by the TP degree of the last (model, tier) pair, rental counted once per query class in the
    /// budget, and no nominal delay cost.</summary>
    Seed,

    /// <summary>The corrected model: rental counted once, delay Σ d·r·x/n ≤ Δ_i over the chosen TP degree n, the nominal
    /// delay cost next to the robust deviation, u_i ≤ 1, no redundant variables.</summary>
    Corrected,
}

/// <summary>The options of a robust solve beyond the instance.</summary>
public sealed record RobustOptions
{
    /// <summary>Gets the formulation.</summary>
    public FormulationKind Formulation { get; init; } = FormulationKind.Corrected;

    /// <summary>Gets a value indicating whether a query class may split its traffic over several (model, tier) pairs
    /// (corrected formulation only; the seed routes each class to one pair).</summary>
    public bool SplitTraffic { get; init; }

    /// <summary>Gets the delay uncertainty budget Γ_d to use instead of the instance's, or null.</summary>
    public double? GammaDelay { get; init; }

    /// <summary>Gets the error uncertainty budget Γ_e to use instead of the instance's, or null.</summary>
    public double? GammaError { get; init; }

    /// <summary>Gets a value indicating whether the problem is deterministic (Γ_d = Γ_e = 0).</summary>
    public bool Deterministic { get; init; }

    /// <summary>Gets the effective Γ_d.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>The budget.</returns>
    public double DelayBudget(RobustInstance instance) => Deterministic ? 0 : GammaDelay ?? instance.Scalars.GammaDelay;

    /// <summary>Gets the effective Γ_e.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>The budget.</returns>
    public double ErrorBudget(RobustInstance instance) => Deterministic ? 0 : GammaError ?? instance.Scalars.GammaError;
}

/// <summary>The variables of a built robust model, for reading a solution.</summary>
public sealed class RobustVariables
{
    /// <summary>Gets x[i][j][k]: the share of class i served by model j on tier k.</summary>
    public required Variable[,,] Share { get; init; }

    /// <summary>Gets z[i][j][k]: class i is routed to (j, k).</summary>
    public required Variable[,,] Routed { get; init; }

    /// <summary>Gets y[j][k]: GPUs of tier k rented for model j.</summary>
    public required Variable[,] Gpus { get; init; }

    /// <summary>Gets q[j][k]: (j, k) is deployed.</summary>
    public required Variable[,] Deployed { get; init; }

    /// <summary>Gets w[j][k][n]: (j, k) runs at the n-th TP degree.</summary>
    public required Variable[,,] Tp { get; init; }

    /// <summary>Gets v[i][j][k][n] = w·x.</summary>
    public required Variable[,,,] ShareAtTp { get; init; }

    /// <summary>Gets a[i][j][k][n] = w·z: class i is routed to (j, k) running at the n-th TP degree (the binaries of
    /// single routing, where z = Σ_n a), or null when traffic may split (z is binary there).</summary>
    public Variable[,,,]? RoutedAtTp { get; init; }

    /// <summary>Gets u[i]: the unmet share of class i.</summary>
    public required Variable[] Unmet { get; init; }

    /// <summary>Gets ϱ: the worst-case delay-penalty deviation.</summary>
    public required Variable RobustDelay { get; init; }
}

/// <summary>Builds the robust allocation MILP of either formulation (docs/robust.md has every row as math).</summary>
public static class RobustFormulation
{
    /// <summary>The seed's unmet cap factor: u_i ≤ 0.01·λ_i.</summary>
    public const double SeedUnmetCapPerArrival = 0.01;

    /// <summary>The largest unmet share of a class: 0.01·λ_i (at most 1) in the seed formulation, 1 in the corrected.</summary>
    /// <param name="query">The class.</param>
    /// <param name="formulation">The formulation.</param>
    /// <returns>The cap on u_i.</returns>
    public static double UnmetCap(QueryClass query, FormulationKind formulation)
    {
        ArgumentNullException.ThrowIfNull(query);
        return formulation == FormulationKind.Seed ? Math.Min(1, SeedUnmetCapPerArrival * query.ArrivalRatePerHour) : 1;
    }

    /// <summary>The factor on every class's delay limit at an allocation: the seed multiplies Δ_i by the TP degree of
    /// the last (model, tier) pair (0 when it is not deployed); the corrected formulation does not (1).</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="formulation">The formulation.</param>
    /// <param name="deployments">The deployed pairs.</param>
    /// <returns>The factor.</returns>
    public static int DelayLimitFactor(RobustInstance instance, FormulationKind formulation, IReadOnlyList<RobustDeployment> deployments)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(deployments);
        return formulation == FormulationKind.Seed
            ? deployments.FirstOrDefault(d => d.Model == instance.Models.Count - 1 && d.Tier == instance.Tiers.Count - 1)?.TensorParallel ?? 0
            : 1;
    }

    /// <summary>What a route's per-query delay d·r is divided by: its pair's TP degree in the corrected formulation, 1 in
    /// the seed.</summary>
    /// <param name="formulation">The formulation.</param>
    /// <param name="deployments">The deployed pairs (the route's pair among them).</param>
    /// <param name="route">The route.</param>
    /// <returns>The divisor.</returns>
    public static int DelayDivisor(FormulationKind formulation, IReadOnlyList<RobustDeployment> deployments, RobustRoute route)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        ArgumentNullException.ThrowIfNull(route);
        return formulation == FormulationKind.Seed ? 1 : deployments.First(d => d.Model == route.Model && d.Tier == route.Tier).TensorParallel;
    }

    /// <summary>Builds the model.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="options">The options.</param>
    /// <returns>The model and its variables.</returns>
    public static (LinearModel Model, RobustVariables Variables) Build(RobustInstance instance, RobustOptions options)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Formulation == FormulationKind.Seed && options.SplitTraffic)
        {
            throw new ArgumentException("Split traffic is a corrected-formulation option; the seed routes each class to one pair.", nameof(options));
        }

        return options.SplitTraffic ? BuildSplit(instance, options) : BuildSingle(instance, options);
    }

    /// <summary>The model with split traffic: R1–R17 without R16, tightened by items 1 to 5 of docs/robust.md §5.</summary>
    private static (LinearModel Model, RobustVariables Variables) BuildSplit(RobustInstance instance, RobustOptions options)
    {
        bool seed = options.Formulation == FormulationKind.Seed;
        var q = instance.QueryClasses;
        var m = instance.Models;
        var t = instance.Tiers;
        var tp = instance.TpDegrees;
        RobustScalars s = instance.Scalars;
        int ni = q.Count, nj = m.Count, nk = t.Count, nn = tp.Count;
        double gammaDelay = options.DelayBudget(instance);
        double gammaError = options.ErrorBudget(instance);
        int maxTp = tp.Max();
        var model = new LinearModel(seed ? "robust-seed" : "robust-corrected");

        var x = new Variable[ni, nj, nk];
        var z = new Variable[ni, nj, nk];
        var y = new Variable[nj, nk];
        var dep = new Variable[nj, nk];
        var w = new Variable[nj, nk, nn];
        var v = new Variable[ni, nj, nk, nn];
        var u = new Variable[ni];

        // Costs: rental (C1), model storage per placement and data storage (C2), unmet (C4); corrected adds the nominal
        // delay cost (C3) on x at each TP degree.
        for (int j = 0; j < nj; j++)
        {
            for (int k = 0; k < nk; k++)
            {
                // y = Σ n·w is integral whenever w is, so it needs no branching of its own.
                y[j, k] = model.AddVariable(N("y", j, k), 0, maxTp, VariableKind.Continuous, s.HorizonHours * t[k].PricePerHour);
                dep[j, k] = model.AddBinary(N("q", j, k));
                for (int n = 0; n < nn; n++)
                {
                    w[j, k, n] = model.AddBinary(N("w", j, k, n));
                }
            }
        }

        for (int i = 0; i < ni; i++)
        {
            double upper = UnmetCap(q[i], options.Formulation);
            u[i] = model.AddVariable(N("u", i), 0, upper, VariableKind.Continuous, q[i].UnmetPenalty * q[i].ArrivalRatePerHour);
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    double dataStorage = s.HorizonHours * s.StoragePricePerGigabyteHour * q[i].TokenSizeMegabytes * q[i].Tokens * q[i].ArrivalRatePerHour;
                    x[i, j, k] = model.AddVariable(N("x", i, j, k), 0, 1, VariableKind.Continuous, dataStorage);
                    z[i, j, k] = model.AddBinary(N("z", i, j, k), s.HorizonHours * s.StoragePricePerGigabyteHour * m[j].SizeGigabytes);
                    for (int n = 0; n < nn; n++)
                    {
                        double nominalDelay = seed ? 0 : q[i].DelayPenaltyPerMillisecond * q[i].ArrivalRatePerHour * q[i].Tokens * instance.DelayNominal[i, j, k] / tp[n];
                        v[i, j, k, n] = model.AddVariable(N("v", i, j, k, n), 0, 1, VariableKind.Continuous, nominalDelay);
                    }
                }
            }
        }

        Variable rho = model.AddVariable("robust_delay_penalty", 0, double.PositiveInfinity, VariableKind.Continuous, 1);

        for (int i = 0; i < ni; i++)
        {
            // R1 supply; R17 x ≤ z (no R16: traffic may split).
            model.AddEqual(N("supply", i), Sum(nj, nk, (j, k) => x[i, j, k].AsTerm()).Append(u[i].AsTerm()), 1);

            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    model.AddLessOrEqual(N("share_routed", i, j, k), [x[i, j, k].AsTerm(), -1 * z[i, j, k]], 0);
                    model.AddLessOrEqual(N("route_deployed", i, j, k), [z[i, j, k].AsTerm(), -1 * dep[j, k]], 0);
                    // R8: v = w·x. The seed's McCormick rows (v ≤ w, v ≤ x, v ≥ x + w − 1) allow exactly the same
                    // integer solutions as v ≤ w with Σ_n v = x (x > 0 needs z = q = 1, so exactly one w is 1), whose
                    // LP relaxation is tighter.
                    // v ≤ w is tightened to v ≤ (the share of class i that fits alone at degree n)·w, which the memory and
                    // compute rows imply.
                    for (int n = 0; n < nn; n++)
                    {
                        model.AddLessOrEqual(N("v_le_w", i, j, k, n), [v[i, j, k, n].AsTerm(), -Math.Clamp(Fits(instance, i, j, k, tp[n]), 0, 1) * w[j, k, n]], 0);
                    }

                    model.AddEqual(N("v_sum", i, j, k), Enumerable.Range(0, nn).Select(n => v[i, j, k, n].AsTerm()).Append(-1 * x[i, j, k]), 0);
                }
            }
        }

        AddBudget(model, instance, seed, x, y, z);

        for (int j = 0; j < nj; j++)
        {
            for (int k = 0; k < nk; k++)
            {
                // R4 one TP degree per deployed pair; R6 GPUs = TP degree (the seed's W = w·q is w itself).
                AddTpRows(model, j, k, tp, w, dep, y);

                // R9 memory per GPU: the weights' shard plus the KV share at the chosen TP degree; R10 compute. Both are
                // written per TP degree n (only the chosen degree's w and v can be nonzero, so the seed's single rows
                // Σ_n … ≤ C·q and Σ α·r·x ≤ P·y allow the same solutions), which tightens the LP relaxation.
                bool tooLarge = m[j].SizeGigabytes > maxTp * t[k].MemoryGigabytes;
                for (int n = 0; n < nn; n++)
                {
                    if (tooLarge)
                    {
                        // The seed forces y = 0 when even the largest TP degree cannot hold the weights.
                        model.AddEqual(N("too_large", j, k, n), [w[j, k, n].AsTerm()], 0);
                        continue;
                    }

                    AddCapacityRows(model, instance, j, k, n, w, v, _ => true);
                }
            }
        }

        // R11 storage.
        model.AddLessOrEqual("storage", Sum3(ni, nj, nk, (i, j, k) => m[j].SizeGigabytes * z[i, j, k]), s.StorageCapacityGigabytes);

        // R12–R15: the Bertsimas–Sim duals of the delay, error and delay-penalty budgets, one budget per class.
        var penaltyDeviation = new List<LinearTerm> { rho.AsTerm() };
        for (int i = 0; i < ni; i++)
        {
            Variable tauDelay = model.AddVariable(N("tau_delay", i), 0, double.PositiveInfinity);
            Variable tauError = model.AddVariable(N("tau_error", i), 0, double.PositiveInfinity);
            Variable tauPenalty = model.AddVariable(N("tau_penalty", i), 0, double.PositiveInfinity);
            var delay = new List<LinearTerm> { gammaDelay * tauDelay };
            var error = new List<LinearTerm> { gammaError * tauError };
            penaltyDeviation.Add(-gammaDelay * tauPenalty);
            int r = q[i].Tokens;
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    Variable sigmaDelay = model.AddVariable(N("sigma_delay", i, j, k), 0, double.PositiveInfinity);
                    Variable sigmaError = model.AddVariable(N("sigma_error", i, j, k), 0, double.PositiveInfinity);
                    Variable sigmaPenalty = model.AddVariable(N("sigma_penalty", i, j, k), 0, double.PositiveInfinity);
                    delay.Add(sigmaDelay.AsTerm());
                    error.Add(sigmaError.AsTerm());
                    penaltyDeviation.Add(-1 * sigmaPenalty);
                    error.Add(instance.ErrorNominal[i, j, k] * x[i, j, k]);
                    double dBar = instance.DelayNominal[i, j, k] * r;
                    double dHat = instance.DelayDeviation[i, j, k] * r;
                    double penalty = q[i].DelayPenaltyPerMillisecond * q[i].ArrivalRatePerHour;
                    model.AddGreaterOrEqual(N("dual_error", i, j, k), [tauError.AsTerm(), sigmaError.AsTerm(), -instance.ErrorDeviation[i, j, k] * x[i, j, k]], 0);
                    if (seed)
                    {
                        delay.Add(dBar * x[i, j, k]);
                        model.AddGreaterOrEqual(N("dual_delay", i, j, k), [tauDelay.AsTerm(), sigmaDelay.AsTerm(), -dHat * x[i, j, k]], 0);
                        model.AddGreaterOrEqual(N("dual_penalty", i, j, k), [tauPenalty.AsTerm(), sigmaPenalty.AsTerm(), -dHat * penalty * x[i, j, k]], 0);
                    }
                    else
                    {
                        // A query's delay on (j, k) at TP n is d·r/n.
                        var deviation = new List<LinearTerm> { tauDelay.AsTerm(), sigmaDelay.AsTerm() };
                        var penaltyTerms = new List<LinearTerm> { tauPenalty.AsTerm(), sigmaPenalty.AsTerm() };
                        for (int n = 0; n < nn; n++)
                        {
                            delay.Add(dBar / tp[n] * v[i, j, k, n]);
                            deviation.Add(-dHat / tp[n] * v[i, j, k, n]);
                            penaltyTerms.Add(-dHat * penalty / tp[n] * v[i, j, k, n]);
                        }

                        model.AddGreaterOrEqual(N("dual_delay", i, j, k), deviation, 0);
                        model.AddGreaterOrEqual(N("dual_penalty", i, j, k), penaltyTerms, 0);
                    }
                }
            }

            if (seed)
            {
                // The seed's threshold: Δ_i × the TP degree of the last (model, tier) pair (a leaked loop variable).
                for (int n = 0; n < nn; n++)
                {
                    delay.Add(-q[i].DelayThresholdMilliseconds * tp[n] * w[nj - 1, nk - 1, n]);
                }

                model.AddLessOrEqual(N("robust_delay", i), delay, 0);
            }
            else
            {
                model.AddLessOrEqual(N("robust_delay", i), delay, q[i].DelayThresholdMilliseconds);
            }

            model.AddLessOrEqual(N("robust_error", i), error, q[i].ErrorThreshold);
        }

        // R14: ϱ ≥ Σ_i Γ_d τ_i + Σ σ.
        model.AddGreaterOrEqual("robust_penalty", penaltyDeviation, 0);

        return (model, new RobustVariables { Share = x, Routed = z, Gpus = y, Deployed = dep, Tp = w, ShareAtTp = v, Unmet = u, RobustDelay = rho });
    }

    /// <summary>The model with one route per class (R16 in force): R1–R17 rewritten as items 1 to 11 of docs/robust.md §5,
    /// which keep the same optimum and tighten the LP relaxation.</summary>
    private static (LinearModel Model, RobustVariables Variables) BuildSingle(RobustInstance instance, RobustOptions options)
    {
        bool seed = options.Formulation == FormulationKind.Seed;
        var q = instance.QueryClasses;
        var m = instance.Models;
        var t = instance.Tiers;
        var tp = instance.TpDegrees;
        RobustScalars s = instance.Scalars;
        int ni = q.Count, nj = m.Count, nk = t.Count, nn = tp.Count;

        // With one route per class only one deviation counts, so the worst case within Γ is min(1, Γ) of it (§3).
        double worstDelay = Math.Min(1, options.DelayBudget(instance));
        double worstError = Math.Min(1, options.ErrorBudget(instance));
        int maxTp = tp.Max();
        int lastModel = nj - 1, lastTier = nk - 1;
        var model = new LinearModel(seed ? "robust-seed" : "robust-corrected");

        // A slot (j, k, n) is model j on tier k at the n-th TP degree. cap[i, j, k, n] is the largest share of class i it
        // can carry as the class's only route; a class may use a slot only when the weights fit and the cap reaches the
        // share the class must carry (1 − its unmet cap).
        var least = new double[ni];
        var cap = new double[ni, nj, nk, nn];
        var usable = new bool[ni, nj, nk, nn];
        var serves = new bool[ni, nj, nk, nn];
        for (int i = 0; i < ni; i++)
        {
            least[i] = 1 - UnmetCap(q[i], options.Formulation);
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    for (int n = 0; n < nn; n++)
                    {
                        cap[i, j, k, n] = Cap(instance, options, i, j, k, n);
                        usable[i, j, k, n] = WeightsFit(instance, j, k, tp[n]) && cap[i, j, k, n] >= least[i] - ShareTolerance;

                        // A class that may go wholly unmet is never served on a slot where a share costs at least the
                        // unmet penalty it saves: moving that share to u keeps every row and costs no more.
                        serves[i, j, k, n] = usable[i, j, k, n] && (least[i] > 0 || ServedCost(instance, options, i, j, k, n) < q[i].UnmetPenalty * q[i].ArrivalRatePerHour);
                    }
                }
            }
        }

        // The seed's delay limit is Δ_i × the TP degree of the last pair: with that pair off, no class with a positive
        // delay on its route can be served at all. When a class must carry a positive share, the pair is always on.
        bool lastAlwaysOn = seed && Enumerable.Range(0, ni).Any(i => least[i] > 0 && Enumerable.Range(0, nj).All(j => Enumerable.Range(0, nk).All(k =>
            !Enumerable.Range(0, nn).Any(n => usable[i, j, k, n]) || WorstDelay(instance, worstDelay, i, j, k) > 0)));

        var x = new Variable[ni, nj, nk];
        var z = new Variable[ni, nj, nk];
        var y = new Variable[nj, nk];
        var dep = new Variable[nj, nk];
        var w = new Variable[nj, nk, nn];
        var v = new Variable[ni, nj, nk, nn];
        var a = new Variable[ni, nj, nk, nn];
        var u = new Variable[ni];

        // Every column that must be 0 (a closed slot's w, a and v; x, z, q and y where none is open) is this one.
        Variable zero = model.AddVariable("closed", 0, 0);
        var slotOpen = new bool[nj, nk, nn];
        for (int j = 0; j < nj; j++)
        {
            for (int k = 0; k < nk; k++)
            {
                bool last = seed && j == lastModel && k == lastTier;
                for (int n = 0; n < nn; n++)
                {
                    // A slot whose weights do not fit is off (its memory row reads B/n − C ≤ 0). A slot no class can use
                    // would be rented idle, which only adds cost, except the seed's last pair, whose degree sets the
                    // delay limits.
                    slotOpen[j, k, n] = WeightsFit(instance, j, k, tp[n]) && (last || Enumerable.Range(0, ni).Any(i => usable[i, j, k, n]));
                }

                bool pairOpen = Enumerable.Range(0, nn).Any(n => slotOpen[j, k, n]);
                y[j, k] = pairOpen ? model.AddVariable(N("y", j, k), 0, maxTp, VariableKind.Continuous, s.HorizonHours * t[k].PricePerHour) : zero;
                dep[j, k] = pairOpen ? model.AddVariable(N("q", j, k), last && lastAlwaysOn ? 1 : 0, 1, VariableKind.Binary) : zero;
                for (int n = 0; n < nn; n++)
                {
                    w[j, k, n] = slotOpen[j, k, n] ? model.AddBinary(N("w", j, k, n)) : zero;
                }
            }
        }

        for (int i = 0; i < ni; i++)
        {
            u[i] = model.AddVariable(N("u", i), 0, 1 - least[i], VariableKind.Continuous, q[i].UnmetPenalty * q[i].ArrivalRatePerHour);
            double dataStorage = s.HorizonHours * s.StoragePricePerGigabyteHour * q[i].TokenSizeMegabytes * q[i].Tokens * q[i].ArrivalRatePerHour;
            double penalty = q[i].DelayPenaltyPerMillisecond * q[i].ArrivalRatePerHour * q[i].Tokens;
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    bool served = Enumerable.Range(0, nn).Any(n => serves[i, j, k, n]);
                    x[i, j, k] = served ? model.AddVariable(N("x", i, j, k), 0, 1, VariableKind.Continuous, dataStorage) : zero;

                    // z = Σ_n a is integral whenever a is.
                    z[i, j, k] = Enumerable.Range(0, nn).Any(n => usable[i, j, k, n]) ? model.AddVariable(N("z", i, j, k), 0, 1, VariableKind.Continuous, s.HorizonHours * s.StoragePricePerGigabyteHour * m[j].SizeGigabytes) : zero;
                    for (int n = 0; n < nn; n++)
                    {
                        // The nominal delay cost of a share on the slot (corrected).
                        double perShare = seed ? 0 : penalty * instance.DelayNominal[i, j, k] / tp[n];
                        v[i, j, k, n] = serves[i, j, k, n] ? model.AddVariable(N("v", i, j, k, n), 0, 1, VariableKind.Continuous, perShare) : zero;
                        a[i, j, k, n] = usable[i, j, k, n] ? model.AddBinary(N("a", i, j, k, n)) : zero;
                    }
                }
            }
        }

        Variable rho = model.AddVariable("robust_delay_penalty", 0, double.PositiveInfinity, VariableKind.Continuous, 1);

        for (int i = 0; i < ni; i++)
        {
            // R1 supply; R16 one pair.
            model.AddEqual(N("supply", i), Sum(nj, nk, (j, k) => x[i, j, k].AsTerm()).Append(u[i].AsTerm()), 1);
            model.AddEqual(N("single_route", i), Sum(nj, nk, (j, k) => z[i, j, k].AsTerm()), 1);
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    if (z[i, j, k] == zero)
                    {
                        continue;
                    }

                    // x = Σ_n v and z = Σ_n a; a ≤ w and v ≤ cap·a carry R7, R8, R9/R10 for one class, and R17.
                    if (x[i, j, k] != zero)
                    {
                        model.AddEqual(N("v_sum", i, j, k), Enumerable.Range(0, nn).Select(n => v[i, j, k, n].AsTerm()).Append(-1 * x[i, j, k]), 0);
                    }

                    model.AddEqual(N("a_sum", i, j, k), Enumerable.Range(0, nn).Select(n => a[i, j, k, n].AsTerm()).Append(-1 * z[i, j, k]), 0);
                    for (int n = 0; n < nn; n++)
                    {
                        if (!usable[i, j, k, n])
                        {
                            continue;
                        }

                        model.AddLessOrEqual(N("a_le_w", i, j, k, n), [a[i, j, k, n].AsTerm(), -1 * w[j, k, n]], 0);
                        if (!serves[i, j, k, n])
                        {
                            continue;
                        }

                        model.AddLessOrEqual(N("v_le_cap", i, j, k, n), [v[i, j, k, n].AsTerm(), -Math.Min(1, cap[i, j, k, n]) * a[i, j, k, n]], 0);
                        if (least[i] > 0)
                        {
                            model.AddGreaterOrEqual(N("v_ge_least", i, j, k, n), [v[i, j, k, n].AsTerm(), -least[i] * a[i, j, k, n]], 0);
                        }
                    }
                }
            }
        }

        AddBudget(model, instance, seed, x, y, z);

        for (int j = 0; j < nj; j++)
        {
            for (int k = 0; k < nk; k++)
            {
                if (dep[j, k] == zero)
                {
                    continue;
                }

                // R4 one TP degree per deployed pair; R6 GPUs = TP degree.
                AddTpRows(model, j, k, tp, w, dep, y);

                // R9 memory per GPU and R10 compute, per TP degree, on the open slots.
                for (int n = 0; n < nn; n++)
                {
                    if (!slotOpen[j, k, n])
                    {
                        continue;
                    }

                    AddCapacityRows(model, instance, j, k, n, w, v, i => serves[i, j, k, n]);
                    AddCovers(model, instance, j, k, n, [.. Enumerable.Range(0, ni).Where(i => usable[i, j, k, n] && least[i] > 0)], least, a, w);
                }
            }
        }

        // R11 storage.
        model.AddLessOrEqual("storage", Sum3(ni, nj, nk, (i, j, k) => m[j].SizeGigabytes * z[i, j, k]), s.StorageCapacityGigabytes);

        // R12–R15 in closed form: one route per class, so the worst case within Γ is min(1, Γ) of its one deviation.
        var penaltyDeviation = new List<LinearTerm> { rho.AsTerm() };
        for (int i = 0; i < ni; i++)
        {
            double penalty = q[i].DelayPenaltyPerMillisecond * q[i].ArrivalRatePerHour * q[i].Tokens;
            var delay = new List<LinearTerm>();
            var error = new List<LinearTerm>();
            var served = new List<LinearTerm>();
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    error.Add((instance.ErrorNominal[i, j, k] + (worstError * instance.ErrorDeviation[i, j, k])) * x[i, j, k]);
                    double deviation = worstDelay * instance.DelayDeviation[i, j, k] * penalty;
                    if (seed)
                    {
                        delay.Add(WorstDelay(instance, worstDelay, i, j, k) * x[i, j, k]);
                        penaltyDeviation.Add(-deviation * x[i, j, k]);
                        if (WorstDelay(instance, worstDelay, i, j, k) > 0)
                        {
                            served.Add(-1 * x[i, j, k]);
                        }
                    }
                    else
                    {
                        for (int n = 0; n < nn; n++)
                        {
                            delay.Add(WorstDelay(instance, worstDelay, i, j, k) / tp[n] * v[i, j, k, n]);
                            penaltyDeviation.Add(-deviation / tp[n] * v[i, j, k, n]);
                        }
                    }
                }
            }

            if (seed)
            {
                // The seed's threshold: Δ_i × the TP degree of the last (model, tier) pair (a leaked loop variable). With
                // that pair off the limit is 0, so a served share with a positive delay needs it on.
                for (int n = 0; n < nn; n++)
                {
                    delay.Add(-q[i].DelayThresholdMilliseconds * tp[n] * w[lastModel, lastTier, n]);
                }

                model.AddLessOrEqual(N("robust_delay", i), delay, 0);
                model.AddGreaterOrEqual(N("last_pair_on", i), served.Append(dep[lastModel, lastTier].AsTerm()), 0);
            }
            else
            {
                model.AddLessOrEqual(N("robust_delay", i), delay, q[i].DelayThresholdMilliseconds);
            }

            model.AddLessOrEqual(N("robust_error", i), error, q[i].ErrorThreshold);
        }

        // R14: ϱ = Σ_i min(1, Γ_d) × the route's penalty deviation.
        model.AddEqual("robust_penalty", penaltyDeviation, 0);

        return (model, new RobustVariables { Share = x, Routed = z, Gpus = y, Deployed = dep, Tp = w, ShareAtTp = v, RoutedAtTp = a, Unmet = u, RobustDelay = rho });
    }

    /// <summary>R3: rental (counted once per query class in the seed formulation), model storage per placement and data
    /// storage within the budget.</summary>
    private static void AddBudget(LinearModel model, RobustInstance instance, bool seed, Variable[,,] x, Variable[,] y, Variable[,,] z)
    {
        var (q, m, t, s) = (instance.QueryClasses, instance.Models, instance.Tiers, instance.Scalars);
        double rentalRepeats = seed ? q.Count : 1;
        var budget = new List<LinearTerm>();
        for (int j = 0; j < m.Count; j++)
        {
            for (int k = 0; k < t.Count; k++)
            {
                budget.Add(rentalRepeats * s.HorizonHours * t[k].PricePerHour * y[j, k]);
                for (int i = 0; i < q.Count; i++)
                {
                    budget.Add(s.HorizonHours * s.StoragePricePerGigabyteHour * m[j].SizeGigabytes * z[i, j, k]);
                    budget.Add(s.HorizonHours * s.StoragePricePerGigabyteHour * q[i].TokenSizeMegabytes * q[i].Tokens * q[i].ArrivalRatePerHour * x[i, j, k]);
                }
            }
        }

        model.AddLessOrEqual("budget", budget, s.Budget);
    }

    /// <summary>R4 (one TP degree per deployed pair) and R6 (GPUs = the chosen degree) of pair (j, k).</summary>
    private static void AddTpRows(LinearModel model, int j, int k, IReadOnlyList<int> tp, Variable[,,] w, Variable[,] dep, Variable[,] y)
    {
        int nn = tp.Count;
        model.AddEqual(N("tp_choice", j, k), Enumerable.Range(0, nn).Select(n => w[j, k, n].AsTerm()).Append(-1 * dep[j, k]), 0);
        model.AddEqual(N("gpu_count", j, k), Enumerable.Range(0, nn).Select(n => -tp[n] * w[j, k, n]).Append(y[j, k].AsTerm()), 0);
    }

    /// <summary>R9 (memory per GPU: the weights' shard plus the KV shares) and R10 (compute) of slot (j, k, n), with the
    /// shares of the classes <paramref name="carries"/> admits.</summary>
    private static void AddCapacityRows(LinearModel model, RobustInstance instance, int j, int k, int n, Variable[,,] w, Variable[,,,] v, Func<int, bool> carries)
    {
        int degree = instance.TpDegrees[n];
        var (weights, tier) = (instance.Models[j], instance.Tiers[k]);
        var memory = new List<LinearTerm> { ((weights.SizeGigabytes / degree) - tier.MemoryGigabytes) * w[j, k, n] };
        var compute = new List<LinearTerm> { -tier.ComputeTflops * degree * w[j, k, n] };
        for (int i = 0; i < instance.QueryClasses.Count; i++)
        {
            if (carries(i))
            {
                memory.Add(KvPerShare(instance, i, j, degree) * v[i, j, k, n]);
                compute.Add(ComputePerShare(instance, i) * v[i, j, k, n]);
            }
        }

        model.AddLessOrEqual(N("memory", j, k, n), memory, 0);
        model.AddLessOrEqual(N("compute", j, k, n), compute, 0);
    }

    /// <summary>Cover rows of a slot: a set of classes whose least shares together overflow its memory or compute cannot
    /// all be routed there, Σ_{i∈S} a_i ≤ (|S| − 1)·w. Only minimal sets are written.</summary>
    private static void AddCovers(LinearModel model, RobustInstance instance, int j, int k, int n, int[] classes, double[] least, Variable[,,,] a, Variable[,,] w)
    {
        if (classes.Length < 2 || classes.Length > MaxCoverClasses)
        {
            return;
        }

        int degree = instance.TpDegrees[n];
        double memory = instance.Tiers[k].MemoryGigabytes - (instance.Models[j].SizeGigabytes / degree);
        double compute = instance.Tiers[k].ComputeTflops * degree;
        var covers = new List<int>();

        // A subset's mask is larger than each of its own subsets' masks, so those come first and minimality is checked.
        for (int mask = 1; mask < 1 << classes.Length; mask++)
        {
            if (covers.Exists(c => (c & mask) == c))
            {
                continue;
            }

            double kv = 0, flops = 0;
            for (int b = 0; b < classes.Length; b++)
            {
                if ((mask & (1 << b)) != 0)
                {
                    kv += KvPerShare(instance, classes[b], j, degree) * least[classes[b]];
                    flops += ComputePerShare(instance, classes[b]) * least[classes[b]];
                }
            }

            if (kv > memory + CoverMargin(memory) || flops > compute + CoverMargin(compute))
            {
                covers.Add(mask);
            }
        }

        foreach (int cover in covers.Where(c => int.PopCount(c) > 1))
        {
            var terms = new List<LinearTerm> { -(int.PopCount(cover) - 1) * w[j, k, n] };
            for (int b = 0; b < classes.Length; b++)
            {
                if ((cover & (1 << b)) != 0)
                {
                    terms.Add(a[classes[b], j, k, n].AsTerm());
                }
            }

            model.AddLessOrEqual(N("cover", j, k, n, cover), terms, 0);
        }
    }

    /// <summary>The most classes of a slot whose subsets are searched for covers (2^16 subsets).</summary>
    private const int MaxCoverClasses = 16;

    /// <summary>Shares within this of a bound count as reaching it (CBC's own feasibility tolerance is 1e-7).</summary>
    private const double ShareTolerance = 1e-9;

    /// <summary>How far a set's least load must exceed a capacity before it counts as a cover: well past CBC's
    /// feasibility tolerance, so a load the solver would accept at the bound is never ruled out.</summary>
    private static double CoverMargin(double capacity) => 1e-6 * Math.Max(1, Math.Abs(capacity));

    /// <summary>Whether model j's weights fit on one GPU of tier k at TP degree n (B_j / n ≤ C_k).</summary>
    private static bool WeightsFit(RobustInstance instance, int j, int k, int n) =>
        instance.Models[j].SizeGigabytes / n <= instance.Tiers[k].MemoryGigabytes;

    /// <summary>GB per GPU that the whole of class i's KV cache takes on model j at TP degree n: (β_j / n)·r_i·λ_i·T^res.</summary>
    private static double KvPerShare(RobustInstance instance, int i, int j, int n) =>
        instance.Models[j].KvGigabytesPerToken / n * instance.QueryClasses[i].Tokens * instance.QueryClasses[i].ArrivalRatePerHour * instance.Scalars.KvResidencyTime;

    /// <summary>The compute the whole of class i takes: α_i·r_i.</summary>
    private static double ComputePerShare(RobustInstance instance, int i) =>
        instance.QueryClasses[i].ComputeDemandAlpha * instance.QueryClasses[i].Tokens;

    /// <summary>The worst-case delay of the whole of class i on (j, k) before any TP division, with one route:
    /// (d̄ + min(1, Γ_d)·d̂)·r_i, in ms.</summary>
    private static double WorstDelay(RobustInstance instance, double worstDelay, int i, int j, int k) =>
        (instance.DelayNominal[i, j, k] + (worstDelay * instance.DelayDeviation[i, j, k])) * instance.QueryClasses[i].Tokens;

    /// <summary>What the whole of class i costs on slot (j, k, n) as its only route, beyond the slot's rental and the
    /// model's storage: its data storage, its nominal delay (corrected) and its worst-case penalty deviation.</summary>
    private static double ServedCost(RobustInstance instance, RobustOptions options, int i, int j, int k, int n)
    {
        QueryClass query = instance.QueryClasses[i];
        RobustScalars s = instance.Scalars;
        bool seed = options.Formulation == FormulationKind.Seed;
        double divisor = seed ? 1 : instance.TpDegrees[n];
        double delay = ((seed ? 0 : instance.DelayNominal[i, j, k]) + (Math.Min(1, options.DelayBudget(instance)) * instance.DelayDeviation[i, j, k])) / divisor;
        return (s.HorizonHours * s.StoragePricePerGigabyteHour * query.TokenSizeMegabytes * query.Tokens * query.ArrivalRatePerHour)
            + (query.DelayPenaltyPerMillisecond * query.ArrivalRatePerHour * query.Tokens * delay);
    }

    /// <summary>The largest share of class i that slot (j, k, n) carries as its only route: what fits alone (<see
    /// cref="Fits"/>), what keeps the worst-case error within ε_i, and what keeps the worst-case delay within Δ_i (÷ n in
    /// the corrected formulation; the seed's limit is at most Δ_i × the largest degree). May exceed 1.</summary>
    private static double Cap(RobustInstance instance, RobustOptions options, int i, int j, int k, int n)
    {
        QueryClass query = instance.QueryClasses[i];
        double share = Fits(instance, i, j, k, instance.TpDegrees[n]);
        double error = instance.ErrorNominal[i, j, k] + (Math.Min(1, options.ErrorBudget(instance)) * instance.ErrorDeviation[i, j, k]);
        if (error > 0)
        {
            share = Math.Min(share, query.ErrorThreshold / error);
        }

        double delay = WorstDelay(instance, Math.Min(1, options.DelayBudget(instance)), i, j, k);
        double limit = query.DelayThresholdMilliseconds * (options.Formulation == FormulationKind.Seed ? instance.TpDegrees.Max() : instance.TpDegrees[n]);
        if (delay > 0)
        {
            share = Math.Min(share, limit / delay);
        }

        return share;
    }

    /// <summary>The largest share of class i that model j on tier k holds alone at TP degree n: the weights' shard plus
    /// the share's KV within a GPU's memory, and its compute within the n GPUs' compute (negative when the weights alone
    /// do not fit).</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="i">The class.</param>
    /// <param name="j">The model.</param>
    /// <param name="k">The tier.</param>
    /// <param name="n">The TP degree.</param>
    /// <returns>The share (may exceed 1).</returns>
    public static double Fits(RobustInstance instance, int i, int j, int k, int n)
    {
        QueryClass q = instance.QueryClasses[i];
        RobustModel m = instance.Models[j];
        GpuTier t = instance.Tiers[k];
        double kvPerShare = m.KvGigabytesPerToken / n * q.Tokens * q.ArrivalRatePerHour * instance.Scalars.KvResidencyTime;
        double computePerShare = q.ComputeDemandAlpha * q.Tokens;
        double memory = kvPerShare > 0 ? (t.MemoryGigabytes - (m.SizeGigabytes / n)) / kvPerShare : (m.SizeGigabytes / n <= t.MemoryGigabytes ? double.PositiveInfinity : -1);
        double compute = computePerShare > 0 ? t.ComputeTflops * n / computePerShare : double.PositiveInfinity;
        return Math.Min(memory, compute);
    }

    private static IEnumerable<LinearTerm> Sum(int nj, int nk, Func<int, int, LinearTerm> term)
    {
        for (int j = 0; j < nj; j++)
        {
            for (int k = 0; k < nk; k++)
            {
                yield return term(j, k);
            }
        }
    }

    private static IEnumerable<LinearTerm> Sum3(int ni, int nj, int nk, Func<int, int, int, LinearTerm> term)
    {
        for (int i = 0; i < ni; i++)
        {
            foreach (LinearTerm t in Sum(nj, nk, (j, k) => term(i, j, k)))
            {
                yield return t;
            }
        }
    }

    private static string N(string name, params int[] index) => $"{name}[{string.Join(",", index)}]";
}
