using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Validation;

namespace LlmPlan.Planning.Robust;

/// <summary>The predicted latency of one query of a class on one (model, tier) pair.</summary>
/// <param name="TensorParallel">The smallest TP degree at which the model runs the query, or 0 when none does.</param>
/// <param name="Milliseconds">TTFT + (O − 1)·TPOT at that degree and concurrency 1, in ms; NaN when none runs it.</param>
/// <param name="Problem">Why no degree runs it (the performance model's reason at the largest degree); empty otherwise.</param>
public sealed record PairLatency(int TensorParallel, double Milliseconds, string Problem)
{
    /// <summary>Gets a value indicating whether some degree runs the query.</summary>
    public bool Runs => TensorParallel > 0;
}

/// <summary>Derives a <see cref="RobustInstance"/> from a <see cref="RobustSpec"/> with the catalog and the performance
/// model (docs/formats.md, "Robust spec (YAML)", has every formula).</summary>
/// <remarks>
/// <list type="bullet">
/// <item>B_j: the model's weights in GB (10⁹ bytes) at the largest-footprint precision among the tiers (16-bit when a
/// 16-bit tier is listed), embeddings and LM head in 16 bits. B_j is one number per model, so a smaller-precision tier
/// is charged the larger weights: the memory and storage rows stay conservative.</item>
/// <item>β_j: the KV cache of one token over all layers at TP 1 in 16 bits, in GB.</item>
/// <item>C_k: the GPU's memory in GB × the engine's 0.90 memory utilisation; P_k: its dense peak at the tier's precision
/// (<see cref="PrecisionFacts.PeakFor"/>: the 16-bit peak where the GPU has no tensor rate for it), in TFLOP/s;
/// p_k: the price of one GPU per hour (the spec's, else the cheapest per-GPU price of the provider's catalog instances
/// with the GPU).</item>
/// <item>d̄_ijk: the latency of one class-i query on model j on tier k at the smallest listed TP degree n₀ that runs it,
/// × n₀ ÷ r_i, in ms per token, so that the corrected formulation's d̄·r/n is the predicted latency at n = n₀. A pair
/// that runs at no listed degree gets <see cref="UnservableDelayFactor"/> × Δ_i × (the largest degree) ÷ r_i.</item>
/// <item>α_i: 2 × the active parameters per token (decoder layers plus LM head) of the spec's largest model, in TFLOP,
/// × λ_i ÷ 3600, so that α_i·r_i·x is the TFLOP/s that a share x of the class needs, compared with P_k·n.</item>
/// <item>T^res: the spec's, else the slowest predicted request latency, in hours, so that β·r·λ·T^res is the KV cache the
/// requests in flight hold (Little's law).</item>
/// <item>ē_ijk: the class's override, else the spec's, else <see cref="RobustErrorTable"/>; d̂ and ê are the spec's
/// deviation fractions × d̄ and ē.</item>
/// </list>
/// </remarks>
public static class RobustInstanceBuilder
{
    /// <summary>The factor that makes a pair that cannot run a class useless for it: its d̄ is this × Δ_i × the largest TP
    /// degree ÷ r_i, so at any degree it meets the delay limit for at most 1/100 of the class.</summary>
    public const double UnservableDelayFactor = 100;

    /// <summary>The seed's big-M (stored in the instance, unused by the formulations).</summary>
    public const double BigM = 10000;

    /// <summary>Builds the instance.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="catalog">The catalog (instance prices; bare-GPU layouts).</param>
    /// <returns>The instance.</returns>
    /// <exception cref="InputValidationException">A tier has no price, a model has no error rate, or a class runs on no
    /// pair; every problem is listed.</exception>
    /// <exception cref="ArgumentException">The spec has no class, model, tier or TP degree.</exception>
    public static RobustInstance Build(RobustSpec spec, HardwareCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(catalog);
        if (spec.Classes.Count == 0 || spec.Models.Count == 0 || spec.Tiers.Count == 0 || spec.TpDegrees.Count == 0)
        {
            throw new ArgumentException("A spec needs at least one class, model, tier and TP degree.", nameof(spec));
        }

        var errors = new InputErrors();
        var classes = spec.Classes;
        var models = spec.Models;
        var tierSpecs = spec.Tiers;
        int ni = classes.Count, nj = models.Count, nk = tierSpecs.Count;

        var tiers = tierSpecs.Select(t => new GpuTier(
            t.Name,
            t.Gpu.Id,
            t.Precision.Name().ToUpperInvariant(),
            MemoryGigabytes(t.Gpu),
            t.Precision.PeakFor(t.Gpu).Teraflops,
            Price(t, spec.Provider, catalog, errors))).ToList();
        double weightBytes = tierSpecs.Max(t => t.Precision.BytesPerElement());
        var robustModels = models.Select(m => new RobustModel(m.Id, WeightGigabytes(m, weightBytes), KvGigabytesPerToken(m))).ToList();

        var latency = new PairLatency[ni, nj, nk];
        var notes = new List<string>
        {
            $"Built from the robust spec {spec.Source} (docs/formats.md, \"Robust spec (YAML)\"): delays from the performance model at concurrency 1, error rates from the built-in table and the spec's overrides.",
        };
        for (int i = 0; i < ni; i++)
        {
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    PairLatency l = Latency(models[j], tierSpecs[k], classes[i].InputTokens, classes[i].OutputTokens, spec.TpDegrees, spec.Provider, catalog);
                    latency[i, j, k] = l;
                    if (!l.Runs)
                    {
                        notes.Add(Invariant.Text($"{models[j].Id} on {tierSpecs[k].Name} cannot run class '{classes[i].Name}' at TP {string.Join("/", spec.TpDegrees)}; its delay is set to {UnservableDelayFactor}× the limit. {l.Problem}"));
                    }
                    else if (l.TensorParallel > 1)
                    {
                        notes.Add(Invariant.Text($"{models[j].Id} on {tierSpecs[k].Name} runs class '{classes[i].Name}' from TP {l.TensorParallel}: its delay is the latency there × {l.TensorParallel}."));
                    }
                }
            }

            if (!Enumerable.Range(0, nj).Any(j => Enumerable.Range(0, nk).Any(k => latency[i, j, k].Runs)))
            {
                errors.Add(
                    Where(classes[i].Where, $"class '{classes[i].Name}'"),
                    Invariant.Text($"no listed model runs a query of {classes[i].InputTokens} + {classes[i].OutputTokens} tokens on any listed tier at TP {string.Join("/", spec.TpDegrees)}. Add a larger GPU, a smaller model or precision, or a shorter query. ({latency[i, 0, 0].Problem})"));
            }
        }

        var errorNominal = new double[ni * nj * nk];
        for (int j = 0; j < nj; j++)
        {
            var missing = new SortedSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < ni; i++)
            {
                for (int k = 0; k < nk; k++)
                {
                    Precision p = tierSpecs[k].Precision;
                    double? rate = classes[i].ErrorRates.RateFor(models[j].Id, p) ?? spec.ErrorRates.RateFor(models[j].Id, p) ?? RobustErrorTable.RateFor(models[j].Id, p);
                    if (rate is null)
                    {
                        missing.Add(p.Name());
                    }

                    errorNominal[(((i * nj) + j) * nk) + k] = rate ?? 0;
                }
            }

            if (missing.Count > 0)
            {
                errors.Add(
                    Where(j < spec.ModelWhere.Count ? spec.ModelWhere[j] : string.Empty, $"model '{models[j].Id}'"),
                    $"no error rate for {models[j].Id} at {string.Join(", ", missing)}: the built-in table has only {string.Join(", ", RobustErrorTable.SixteenBitRates.Keys)}. Give error_rates.{models[j].Id}.base (its 16-bit error rate, a fraction) or a rate per precision.");
            }
        }

        errors.ThrowIfAny();

        int maxTp = spec.TpDegrees.Max();
        var delayNominal = new double[ni * nj * nk];
        double slowest = 0;
        for (int i = 0; i < ni; i++)
        {
            int r = classes[i].InputTokens + classes[i].OutputTokens;
            for (int j = 0; j < nj; j++)
            {
                for (int k = 0; k < nk; k++)
                {
                    PairLatency l = latency[i, j, k];
                    delayNominal[(((i * nj) + j) * nk) + k] = l.Runs
                        ? l.Milliseconds * l.TensorParallel / r
                        : UnservableDelayFactor * classes[i].DelayLimitMilliseconds * maxTp / r;
                    slowest = l.Runs ? Math.Max(slowest, l.Milliseconds) : slowest;
                }
            }
        }

        double residencyHours = spec.KvResidencyHours ?? slowest / 3.6e6;
        ModelArchitecture heaviest = models.MaxBy(TeraflopPerToken)!;
        double teraflopPerToken = TeraflopPerToken(heaviest);
        notes.Add(Invariant.Text($"α_i = {teraflopPerToken:0.######} TFLOP per token ({heaviest.Id}, the heaviest model) × λ_i / 3600: α_i·r_i·x is the TFLOP/s of a share x of class i."));
        notes.Add(Invariant.Text($"T^res = {residencyHours:0.########} h ({(spec.KvResidencyHours is null ? "the slowest predicted request latency" : "given by the spec")}); β·r·λ·T^res is the KV cache of the requests in flight."));

        var queryClasses = classes.Select(c => new QueryClass(
            c.Name,
            c.InputTokens,
            c.OutputTokens,
            c.RatePerHour,
            c.DelayLimitMilliseconds,
            c.ErrorLimit,
            teraflopPerToken * c.RatePerHour / 3600.0,
            c.TokenSizeMegabytes,
            c.DelayPenaltyPerMillisecond,
            c.UnmetPenalty)).ToList();
        var nominalDelay = new Table3(ni, nj, nk, delayNominal);
        var nominalError = new Table3(ni, nj, nk, errorNominal);
        return new RobustInstance
        {
            Name = spec.Name,
            Source = spec.Source,
            Notes = notes,
            QueryClasses = queryClasses,
            Models = robustModels,
            Tiers = tiers,
            TpDegrees = spec.TpDegrees,
            Scalars = new RobustScalars(
                spec.Budget,
                spec.HorizonHours,
                spec.StorageCapacityGigabytes,
                spec.StoragePricePerGigabyteHour,
                residencyHours,
                spec.GammaDelay,
                spec.GammaError,
                BigM),
            DelayNominal = nominalDelay,
            DelayDeviation = nominalDelay.Select(d => d * spec.DelayDeviation),
            ErrorNominal = nominalError,
            ErrorDeviation = nominalError.Select(e => e * spec.ErrorDeviation),
        };
    }

    /// <summary>The weights of a model in GB (10⁹ bytes): decoder layers at <paramref name="bytesPerParameter"/>, the
    /// embedding, LM head and other parameters at <see cref="MemoryModel.EmbeddingBytesPerParameter"/> (as
    /// <see cref="MemoryModel.WeightsPerGpu(Deployment, int)"/> counts them at TP 1).</summary>
    /// <param name="model">The model.</param>
    /// <param name="bytesPerParameter">The bytes per decoder parameter (<see cref="PrecisionFacts.BytesPerElement"/>).</param>
    /// <returns>B_j.</returns>
    public static double WeightGigabytes(ModelArchitecture model, double bytesPerParameter)
    {
        ArgumentNullException.ThrowIfNull(model);
        double layers = (double)model.Layers * model.ParametersPerLayer * bytesPerParameter;
        double edges = (double)(model.EmbeddingParameters + model.LmHeadParameters + model.OtherParameters) * MemoryModel.EmbeddingBytesPerParameter;
        return (layers + edges) / 1e9;
    }

    /// <summary>The KV cache of one token over all layers at TP 1 in 16 bits, in GB: β_j.</summary>
    /// <param name="model">The model.</param>
    /// <returns>GB per token.</returns>
    public static double KvGigabytesPerToken(ModelArchitecture model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return MemoryModel.KvBytesPerTokenPerLayer(model, Precision.Bf16, 1).Gigabytes * model.Layers;
    }

    /// <summary>The memory of one GPU the engine may use, in GB: capacity × <see cref="EngineSettings.GpuMemoryUtilization"/>
    /// (0.90): C_k.</summary>
    /// <param name="gpu">The GPU.</param>
    /// <returns>GB.</returns>
    public static double MemoryGigabytes(GpuSpec gpu)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        return gpu.Memory.Gigabytes * EngineSettings.Default.GpuMemoryUtilization;
    }

    /// <summary>The work of one token, in TFLOP: 2 × (the decoder layers' active parameters + the LM head's V·d).</summary>
    /// <param name="model">The model.</param>
    /// <returns>TFLOP per token.</returns>
    public static double TeraflopPerToken(ModelArchitecture model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return 2.0 * (((double)model.Layers * model.ActiveParametersPerLayer) + model.EmbeddingParameters) / 1e12;
    }

    /// <summary>The latency of one query at concurrency 1 at the smallest listed TP degree that runs it (one pipeline
    /// stage of bare GPUs, KV cache in bf16, the default engine settings).</summary>
    /// <param name="model">The model.</param>
    /// <param name="tier">The tier.</param>
    /// <param name="inputTokens">Input tokens h.</param>
    /// <param name="outputTokens">Output tokens f, at least 1.</param>
    /// <param name="tpDegrees">The TP degrees to try.</param>
    /// <param name="provider">The provider (prices only; they do not change the latency), or null.</param>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The latency, or why no degree runs it.</returns>
    public static PairLatency Latency(
        ModelArchitecture model, RobustTierSpec tier, int inputTokens, int outputTokens, IReadOnlyList<int> tpDegrees, string? provider, HardwareCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(tier);
        ArgumentNullException.ThrowIfNull(tpDegrees);
        Hardware hardware = Hardware.ForGpu(tier.Gpu, catalog, provider);
        string problem = string.Empty;
        foreach (int n in tpDegrees.Order())
        {
            var (deployment, layoutProblem) = UniformLayout.Build(model, hardware, n, 1, tier.Precision, Precision.Bf16);
            if (deployment is null)
            {
                problem = layoutProblem;
                continue;
            }

            Evaluation evaluation = PerformanceModel.Evaluate(deployment, new Workload(inputTokens, outputTokens, 1));
            if (!evaluation.Feasible)
            {
                problem = evaluation.Reason;
                continue;
            }

            double milliseconds = evaluation.TimeToFirstToken.Milliseconds + ((outputTokens - 1) * evaluation.TimePerOutputToken.Milliseconds);
            return new PairLatency(n, milliseconds, string.Empty);
        }

        return new PairLatency(0, double.NaN, problem);
    }

    /// <summary>The price of one GPU of a tier: the spec's, else the cheapest per-GPU price among the catalog instances
    /// with the GPU of the provider (of any provider when none is named); an error when there is none.</summary>
    private static double Price(RobustTierSpec tier, string? provider, HardwareCatalog catalog, InputErrors errors)
    {
        if (tier.PricePerHour is double given)
        {
            return given;
        }

        var withGpu = catalog.Instances.Where(i => string.Equals(i.Gpu.Id, tier.Gpu.Id, StringComparison.Ordinal)).ToList();
        var offered = withGpu.Where(i => provider is null || string.Equals(i.Provider, provider, StringComparison.OrdinalIgnoreCase)).ToList();
        if (offered.Count == 0)
        {
            string others = withGpu.Count == 0
                ? $"no catalog instance has {tier.Gpu.Id}"
                : $"{provider} rents no {tier.Gpu.Id} in the catalog (providers with it: {string.Join(", ", withGpu.Select(i => i.Provider).Distinct(StringComparer.Ordinal))})";
            errors.Add(Where(tier.Where, $"tier {tier.Name}"), $"{others}; give 'price_per_hour' (the price of one GPU per hour).");
            return 0;
        }

        return catalog.CheapestPerGpu(tier.Gpu, provider)!.PricePerGpu.Value;
    }

    private static string Where(string where, string fallback) => where.Length > 0 ? where : fallback;
}
