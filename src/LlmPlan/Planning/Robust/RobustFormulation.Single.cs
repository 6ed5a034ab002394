using LlmPlan.Optimization;

namespace LlmPlan.Planning.Robust;

/// <summary>The model with one route per class (docs/robust.md §5, items 6 to 12) and what only it needs: the per-slot
/// caps, the cost of serving a class on a slot, and the cover rows.</summary>
public static partial class RobustFormulation
{
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
}
