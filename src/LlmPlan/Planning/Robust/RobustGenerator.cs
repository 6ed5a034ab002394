namespace LlmPlan.Planning.Robust;

/// <summary>The instance generator of the robust allocation seed (JJmingcc/LLM-RO @ 78b1552,
/// <c>RODIU_LLM.DataGenerator(seed).generate()</c>), reproduced bit for bit: the fixed tables of seed spec §2.1, the
/// derived matrices of §2.2 and numpy's legacy RNG draws in the order of §2.3. <c>Generate(42)</c> is the instance of
/// <c>examples/robust/seed42-instance.json</c>.</summary>
public static class RobustGenerator
{
    /// <summary>The notes written with a generated instance (the same as the seed-42 fixture's).</summary>
    public static readonly IReadOnlyList<string> Notes =
    [
        "unmet_penalty is phi exactly as RODIU uses it: the generator draws phi_raw ~ U(lo,hi) and the model stores 0.1*phi_raw. The value here is already multiplied by 0.1 (unit: $ per unmet query); do NOT scale it again.",
        "Index order: query types i (6), models j (6), GPU tiers k (10), TP degrees n in tp_degrees. All I x J x K matrices are nested lists indexed [i][j][k].",
        "delay_*_ms_per_token are per token; the model multiplies them by total tokens r_i = input_tokens + output_tokens.",
        "kv_residency_time is the constant T_res (0.1 for every i,j,k in RODIU; unit never stated in the source).",
        "gamma_delay/gamma_error are the Bertsimas-Sim budgets Gamma_d/Gamma_e (per query type in the code).",
        "Floats are written with Python repr (shortest round-trip), so parsing them as IEEE doubles reproduces the numpy arrays bit-exactly.",
        "big_m (10000) is stored in RODIU but unused by the RODIU model.",
    ];

    /// <summary>The query types: name, h, f, λ ~ randint[lo, hi), Δ (ms), ε, base delay ~ U, base error ~ U, α ~ U, θ ~ U,
    /// ρ ~ U (RODIU's ranges), φ_raw ~ U.</summary>
    private static readonly QuerySpec[] Queries =
    [
        new("Summarization", 512, 256, (80, 120), 1000, 0.04, (0.4, 0.6), (0.03, 0.05), (0.3, 0.7), (0.0008, 0.0012), (0.005, 0.010), (30, 50)),
        new("Code_Gen", 256, 512, (60, 100), 1200, 0.08, (0.7, 0.9), (0.02, 0.03), (0.6, 1.0), (0.0008, 0.0012), (0.015, 0.025), (80, 100)),
        new("Translation", 128, 128, (100, 140), 800, 0.03, (0.3, 0.4), (0.02, 0.03), (0.2, 0.4), (0.0008, 0.0012), (0.005, 0.010), (20, 40)),
        new("Math_Solving", 64, 256, (40, 80), 1500, 0.10, (1.0, 1.2), (0.05, 0.07), (1.0, 1.5), (0.0008, 0.0012), (0.010, 0.020), (80, 100)),
        new("Image_Gen", 32, 1024, (20, 60), 4000, 0.12, (2.0, 2.5), (0.06, 0.08), (2.0, 3.0), (0.004, 0.006), (0.020, 0.030), (150, 200)),
        new("Video_Gen", 48, 2048, (10, 30), 5000, 0.15, (3.5, 4.0), (0.08, 0.10), (3.5, 4.5), (0.008, 0.012), (0.030, 0.050), (150, 200)),
    ];

    /// <summary>The models: name, B (GB), β (GB/token), delay multiplier m, error capacity c.</summary>
    private static readonly (string Name, double Size, double Kv, double DelayMultiplier, double ErrorCapacity)[] Models =
    [
        ("Llama-3.2-1B", 2, 0.02, 0.3, 0.5),
        ("Llama-3.2-3B", 6, 0.05, 0.5, 1.5),
        ("Llama-3.1-8B", 16, 0.15, 1.5, 3),
        ("Llama-3.1-70B", 140, 1.4, 5, 8),
        ("Llama-3.2-31B", 810, 8.0, 3.5, 5),
        ("Llama-3.2-11B-Vision", 22, 0.25, 2.5, 2.5),
    ];

    /// <summary>The GPU tiers: GPU, precision, C^gpu (GB), P^gpu, base price ($/h, scaled by U(0.8, 1.2)).</summary>
    private static readonly (string Gpu, string Precision, double Memory, double Compute, double BasePrice)[] Tiers =
    [
        ("A6000", "FP16", 48, 40.7, 0.65),
        ("A6000", "INT8", 48, 58.1, 0.65),
        ("A6000", "INT4", 80, 67, 2.50),
        ("RTX_4090", "FP16", 48, 77.4, 0.65),
        ("RTX_4090", "INT8", 24, 82.6, 0.35),
        ("RTX_4090", "INT4", 24, 123.9, 0.35),
        ("A100_40GB", "FP16", 24, 165.2, 1.20),
        ("A100_40GB", "INT8", 40, 468, 1.20),
        ("H100_80GB", "FP16", 80, 989, 2.00),
        ("H100_80GB", "INT8", 80, 1483.5, 2.50),
    ];

    /// <summary>The compute of the reference tier (A6000 FP16): a tier's delay scales by 40.7 / P^gpu.</summary>
    private const double ReferenceCompute = 40.7;

    /// <summary>Generates the instance of a seed exactly as numpy 1.24 and the seed's generator do.</summary>
    /// <param name="seed">The numpy seed, 0 … 2^32 − 1 (42 is the seed's default).</param>
    /// <returns>The instance, named <c>rodiu-seed&lt;seed&gt;</c>.</returns>
    public static RobustInstance Generate(uint seed)
    {
        var rng = new Mt19937(seed);
        int[] lambda = [.. Queries.Select(q => (int)rng.RandInt(q.Lambda.Lo, q.Lambda.Hi))];
        double[] prices = [.. Tiers.Select(t => t.BasePrice * rng.Uniform(0.8, 1.2))];
        double storagePrice = rng.Uniform(0.001, 0.005);
        double[] alpha = Draw(rng, q => q.Alpha);
        double[] theta = Draw(rng, q => q.Theta);
        double[] rho = Draw(rng, q => q.Rho);
        double[] phi = [.. Draw(rng, q => q.PhiRaw).Select(p => 0.1 * p)];
        double[] baseDelay = Draw(rng, q => q.BaseDelay);
        double[] baseError = Draw(rng, q => q.BaseError);

        // In the seed's order of operations, (base_delay_i · m_j) · (40.7 / P_k) and (base_error_i / c_j) · pf_k: with it
        // every value of the seed-42 fixture comes out bit-identical.
        var delayNominal = new List<double>();
        var errorNominal = new List<double>();
        foreach (double delay in baseDelay)
        {
            foreach (var model in Models)
            {
                foreach (var tier in Tiers)
                {
                    delayNominal.Add(delay * model.DelayMultiplier * (ReferenceCompute / tier.Compute));
                }
            }
        }

        foreach (double error in baseError)
        {
            foreach (var model in Models)
            {
                foreach (var tier in Tiers)
                {
                    errorNominal.Add(error / model.ErrorCapacity * PrecisionFactor(tier.Precision));
                }
            }
        }

        double[] delayDeviation = [.. delayNominal.Select(d => d * rng.Uniform(0.10, 0.25))];
        double[] errorDeviation = [.. errorNominal.Select(e => e * rng.Uniform(0.10, 0.25))];
        int i = Queries.Length, j = Models.Length, k = Tiers.Length;
        return new RobustInstance
        {
            Name = $"rodiu-seed{seed}",
            Source = $"llmplan robust generate --seed {seed}: JJmingcc/LLM-RO @ 78b1552, RODIU_LLM.DataGenerator(seed={seed}).generate() ported to C# (numpy's legacy RandomState MT19937 draws, in the seed's order and arithmetic)",
            Notes = Notes,
            QueryClasses = [.. Queries.Select((q, n) => new QueryClass(q.Name, q.Input, q.Output, lambda[n], q.DelayThreshold, q.ErrorThreshold, alpha[n], theta[n], rho[n], phi[n]))],
            Models = [.. Models.Select(m => new RobustModel(m.Name, m.Size, m.Kv))],
            Tiers = [.. Tiers.Select((t, n) => new GpuTier($"{t.Gpu}_{t.Precision}", t.Gpu, t.Precision, t.Memory, t.Compute, prices[n]))],
            TpDegrees = [1, 2, 4, 8],
            Scalars = new RobustScalars(
                Budget: 3000,
                HorizonHours: 12,
                StorageCapacityGigabytes: 1000,
                StoragePricePerGigabyteHour: storagePrice,
                KvResidencyTime: 0.1,
                GammaDelay: 50,
                GammaError: 50,
                BigM: 10000),
            DelayNominal = new Table3(i, j, k, delayNominal),
            DelayDeviation = new Table3(i, j, k, delayDeviation),
            ErrorNominal = new Table3(i, j, k, errorNominal),
            ErrorDeviation = new Table3(i, j, k, errorDeviation),
        };
    }

    /// <summary>The seed's error multiplier of a precision (matched in the tier name): INT4 1.35, INT8 1.15, else 1.0.</summary>
    /// <param name="precision">The precision.</param>
    /// <returns>The multiplier.</returns>
    public static double PrecisionFactor(string precision) => precision switch
    {
        "INT4" => 1.35,
        "INT8" => 1.15,
        _ => 1.0,
    };

    private static double[] Draw(Mt19937 rng, Func<QuerySpec, (double Lo, double Hi)> range) =>
        [.. Queries.Select(range).Select(r => rng.Uniform(r.Lo, r.Hi))];

    private sealed record QuerySpec(
        string Name,
        int Input,
        int Output,
        (int Lo, int Hi) Lambda,
        double DelayThreshold,
        double ErrorThreshold,
        (double Lo, double Hi) BaseDelay,
        (double Lo, double Hi) BaseError,
        (double Lo, double Hi) Alpha,
        (double Lo, double Hi) Theta,
        (double Lo, double Hi) Rho,
        (double Lo, double Hi) PhiRaw);
}
