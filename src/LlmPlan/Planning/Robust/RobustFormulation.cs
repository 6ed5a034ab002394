using LlmPlan.Optimization;

namespace LlmPlan.Planning.Robust;

/// <summary>Builds the robust allocation MILP of either formulation (docs/robust.md has every row as math).</summary>
public static partial class RobustFormulation
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

    /// <summary>GB per GPU that the whole of class i's KV cache takes on model j at TP degree n: (β_j / n)·r_i·λ_i·T^res.</summary>
    private static double KvPerShare(RobustInstance instance, int i, int j, int n) =>
        instance.Models[j].KvGigabytesPerToken / n * instance.QueryClasses[i].Tokens * instance.QueryClasses[i].ArrivalRatePerHour * instance.Scalars.KvResidencyTime;

    /// <summary>The compute the whole of class i takes: α_i·r_i.</summary>
    private static double ComputePerShare(RobustInstance instance, int i) =>
        instance.QueryClasses[i].ComputeDemandAlpha * instance.QueryClasses[i].Tokens;

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
