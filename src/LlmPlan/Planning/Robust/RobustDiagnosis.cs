namespace LlmPlan.Planning.Robust;

/// <summary>Why a robust instance has no allocation: the first class that no (model, tier) pair can serve on its own,
/// with the numbers, or the coupling constraints when every class could be served alone.</summary>
public static class RobustDiagnosis
{
    /// <summary>Explains an infeasible instance.</summary>
    /// <param name="instance">The instance.</param>
    /// <param name="options">The options.</param>
    /// <returns>The reason, naming the class and the constraint.</returns>
    public static string Explain(RobustInstance instance, RobustOptions options)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(options);
        bool seed = options.Formulation == FormulationKind.Seed;
        int maxTp = instance.TpDegrees.Max();
        bool anyHost = instance.Models.Any(m => instance.Tiers.Any(t => m.SizeGigabytes / maxTp <= t.MemoryGigabytes));
        if (!anyHost)
        {
            RobustModel smallest = instance.Models.MinBy(m => m.SizeGigabytes)!;
            double largest = instance.Tiers.Max(t => t.MemoryGigabytes);
            return Invariant.Text($"no model's weights fit on any GPU tier at any TP degree: the smallest, {smallest.Name}, needs {smallest.SizeGigabytes / maxTp:0.###} GB per GPU at TP {maxTp} but the largest tier has {largest:0.###} GB. Every query type must be routed to a deployed pair; scale GPU memory up or add larger tiers.");
        }

        var problems = new List<string>();
        for (int i = 0; i < instance.QueryClasses.Count; i++)
        {
            QueryClass q = instance.QueryClasses[i];
            double cap = RobustFormulation.UnmetCap(q, options.Formulation);
            double share = options.SplitTraffic ? 0 : 1 - cap;
            if (share <= 0)
            {
                continue;
            }

            // The pairs that can carry the class's smallest share at some TP degree, and the best error and delay there.
            var carriers = new List<(int J, int K, int N)>();
            for (int j = 0; j < instance.Models.Count; j++)
            {
                for (int k = 0; k < instance.Tiers.Count; k++)
                {
                    int n = instance.TpDegrees.Where(n => RobustFormulation.Fits(instance, i, j, k, n) >= share).DefaultIfEmpty(0).Max();
                    if (n > 0)
                    {
                        carriers.Add((j, k, n));
                    }
                }
            }

            if (carriers.Count == 0)
            {
                problems.Add(Invariant.Text($"{q.Name}: no model on any GPU tier holds {share:0.###} of its traffic (at most {cap:0.###} may go unmet) at any TP degree: the KV cache (β·r·λ·T) or the compute (α·r) exceeds what 8 GPUs give. Scale GPU memory up (--scale gpu-memory=2) or add larger tiers."));
                continue;
            }

            double gammaError = options.ErrorBudget(instance);
            double bestError = carriers.Min(c => (instance.ErrorNominal[i, c.J, c.K] + (Math.Min(1, gammaError) * instance.ErrorDeviation[i, c.J, c.K])) * share);
            if (bestError > q.ErrorThreshold)
            {
                problems.Add(Invariant.Text($"{q.Name}: the lowest worst-case error rate of a pair that can carry it is {bestError:0.#####}, above its limit {q.ErrorThreshold:0.#####} by {bestError - q.ErrorThreshold:0.#####}. Raise the limit (--scale error-threshold=…) or add a more accurate model or precision."));
            }

            if (seed)
            {
                // The seed's limit is Δ_i × the TP degree of the last pair, at most the largest degree.
                double gammaDelay = options.DelayBudget(instance);
                double bestDelay = carriers.Min(c => (instance.DelayNominal[i, c.J, c.K] + (Math.Min(1, gammaDelay) * instance.DelayDeviation[i, c.J, c.K])) * q.Tokens * share);
                double limit = q.DelayThresholdMilliseconds * maxTp;
                if (bestDelay > limit)
                {
                    problems.Add(Invariant.Text($"{q.Name}: the lowest worst-case delay of a pair that can carry it is {bestDelay:0.###} ms, above even Δ × {maxTp} = {limit:0.###} ms (the seed multiplies Δ by the last pair's TP degree) by {bestDelay - limit:0.###} ms. Raise the limit (--scale delay-threshold=…)."));
                }
            }
            else
            {
                double gammaDelay = options.DelayBudget(instance);
                double bestDelay = carriers.Min(c => (instance.DelayNominal[i, c.J, c.K] + (Math.Min(1, gammaDelay) * instance.DelayDeviation[i, c.J, c.K])) * q.Tokens * share / c.N);
                if (bestDelay > q.DelayThresholdMilliseconds)
                {
                    problems.Add(Invariant.Text($"{q.Name}: the lowest worst-case delay of a pair that can carry it is {bestDelay:0.###} ms, above its limit {q.DelayThresholdMilliseconds:0.###} ms by {bestDelay - q.DelayThresholdMilliseconds:0.###} ms. Raise the limit (--scale delay-threshold=…) or add faster tiers."));
                }
            }
        }

        return problems.Count > 0
            ? string.Join(" ", problems)
            : Invariant.Text($"each class can be served on its own, so the shared limits bind: the budget (${instance.Scalars.Budget:0.##}{(seed ? ", with rental counted once per class as the seed's row does" : string.Empty)}), the storage ({instance.Scalars.StorageCapacityGigabytes:0.##} GB) or several classes on one pair. Try --scale budget=2.");
    }
}
