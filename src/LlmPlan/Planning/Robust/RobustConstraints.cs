namespace LlmPlan.Planning.Robust;

/// <summary>The constraints of a robust allocation evaluated at a solution, in the instance's units: what the model
/// really enforces (TP-aware memory per GPU, the budget row as the formulation writes it), not the seed's display
/// figures.</summary>
public static class RobustConstraints
{
    /// <summary>The constraint uses of an allocation.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="options">The options.</param>
    /// <param name="deployments">The deployed pairs.</param>
    /// <param name="routes">The routes.</param>
    /// <param name="placed">The (class, model, tier) placements (z = 1), which are charged model storage.</param>
    /// <param name="unmet">The unmet share per class.</param>
    /// <returns>Budget, storage, memory and compute per deployed pair, unmet, delay and error per class.</returns>
    public static IReadOnlyList<ConstraintUse> Uses(RobustInstance instance, RobustOptions options, IReadOnlyList<RobustDeployment> deployments, IReadOnlyList<RobustRoute> routes, IReadOnlyList<(int Class, int Model, int Tier)> placed, IReadOnlyList<double> unmet)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(deployments);
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(placed);
        ArgumentNullException.ThrowIfNull(unmet);
        bool seed = options.Formulation == FormulationKind.Seed;
        RobustScalars s = instance.Scalars;
        var q = instance.QueryClasses;
        var uses = new List<ConstraintUse>();

        double rental = deployments.Sum(d => d.RentalCost);
        double storageCost = s.HorizonHours * s.StoragePricePerGigabyteHour
            * (placed.Sum(p => instance.Models[p.Model].SizeGigabytes) + routes.Sum(r => q[r.Class].TokenSizeMegabytes * q[r.Class].Tokens * q[r.Class].ArrivalRatePerHour * r.Share));
        uses.Add(seed
            ? new ConstraintUse(Invariant.Text($"budget (rental counted {q.Count}× as the seed's row does)"), (q.Count * rental) + storageCost, s.Budget, "$")
            : new ConstraintUse("budget", rental + storageCost, s.Budget, "$"));
        uses.Add(new ConstraintUse("model storage", placed.Sum(p => instance.Models[p.Model].SizeGigabytes), s.StorageCapacityGigabytes, "GB"));

        foreach (RobustDeployment d in deployments)
        {
            RobustModel m = instance.Models[d.Model];
            GpuTier t = instance.Tiers[d.Tier];
            var on = routes.Where(r => r.Model == d.Model && r.Tier == d.Tier).ToList();
            double memory = (m.SizeGigabytes / d.TensorParallel) + on.Sum(r => m.KvGigabytesPerToken / d.TensorParallel * q[r.Class].Tokens * q[r.Class].ArrivalRatePerHour * s.KvResidencyTime * r.Share);
            uses.Add(new ConstraintUse(Invariant.Text($"memory per GPU, {m.Name} on {t.Name} (TP {d.TensorParallel})"), memory, t.MemoryGigabytes, "GB"));
            uses.Add(new ConstraintUse(Invariant.Text($"compute, {m.Name} on {t.Name} (TP {d.TensorParallel})"), on.Sum(r => q[r.Class].ComputeDemandAlpha * q[r.Class].Tokens * r.Share), t.ComputeTflops * d.TensorParallel, "TFLOPs"));
        }

        int leakedTp = RobustFormulation.DelayLimitFactor(instance, options.Formulation, deployments);
        double gammaDelay = options.DelayBudget(instance);
        double gammaError = options.ErrorBudget(instance);
        for (int i = 0; i < q.Count; i++)
        {
            var mine = routes.Where(r => r.Class == i).ToList();
            double cap = RobustFormulation.UnmetCap(q[i], options.Formulation);
            uses.Add(new ConstraintUse(Invariant.Text($"unmet share, {q[i].Name}"), unmet[i], cap, string.Empty));

            double Tp(RobustRoute r) => RobustFormulation.DelayDivisor(options.Formulation, deployments, r);
            double nominalDelay = mine.Sum(r => instance.DelayNominal[i, r.Model, r.Tier] * q[i].Tokens * r.Share / Tp(r));
            double delayDeviation = WorstCase(mine.Select(r => instance.DelayDeviation[i, r.Model, r.Tier] * q[i].Tokens * r.Share / Tp(r)), gammaDelay);
            string delayName = seed
                ? Invariant.Text($"worst-case delay, {q[i].Name} (limit Δ × TP {leakedTp} of the last pair, as the seed's row)")
                : Invariant.Text($"worst-case delay, {q[i].Name}");
            uses.Add(new ConstraintUse(delayName, nominalDelay + delayDeviation, q[i].DelayThresholdMilliseconds * leakedTp, "ms"));
            double nominalError = mine.Sum(r => instance.ErrorNominal[i, r.Model, r.Tier] * r.Share);
            double errorDeviation = WorstCase(mine.Select(r => instance.ErrorDeviation[i, r.Model, r.Tier] * r.Share), gammaError);
            uses.Add(new ConstraintUse(Invariant.Text($"worst-case error rate, {q[i].Name}"), nominalError + errorDeviation, q[i].ErrorThreshold, string.Empty));
        }

        return uses;
    }

    /// <summary>The largest total deviation within a budget Γ: the ⌊Γ⌋ largest deviations in full and the next one in
    /// part (the optimum of max Σ dev·ξ over 0 ≤ ξ ≤ 1, Σ ξ ≤ Γ).</summary>
    /// <param name="deviations">The deviations, each ≥ 0.</param>
    /// <param name="gamma">The budget Γ ≥ 0.</param>
    /// <returns>The worst-case total.</returns>
    public static double WorstCase(IEnumerable<double> deviations, double gamma)
    {
        ArgumentNullException.ThrowIfNull(deviations);
        double total = 0;
        double left = gamma;
        foreach (double d in deviations.OrderDescending())
        {
            if (left <= 0)
            {
                break;
            }

            total += d * Math.Min(1, left);
            left -= 1;
        }

        return total;
    }
}
