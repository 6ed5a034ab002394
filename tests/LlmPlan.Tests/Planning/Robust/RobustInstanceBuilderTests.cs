using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.IO.Robust;
using LlmPlan.Optimization;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Performance;
using LlmPlan.Planning.Robust;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Validation;

namespace LlmPlan.Tests.Planning.Robust;

public sealed class RobustInstanceBuilderTests : IDisposable
{
    public static readonly string Example = Path.Combine(CliRun.RepositoryRoot, "examples", "robust", "llama-spec.yaml");

    /// <summary>Two Llama 3.1 models on H100 fp16/fp8 and L40S fp16, two classes, error overrides spec-wide (8B base 0.3)
    /// and for the second class (70B fp8 0.25).</summary>
    private const string HandSpec = """
        name: hand
        provider: aws
        horizon_hours: 24
        budget: 500
        deviation: {delay: 0.1, error: 0.25}
        kv_residency_hours: 0.01
        classes:
          - name: chat
            input_tokens: 512
            output_tokens: 256
            rate_per_hour: 3600
            delay_limit_ms: 8000
            error_limit: 0.45
            unmet_penalty: 0.05
          - name: analysis
            input_tokens: 2048
            output_tokens: 512
            rate_per_hour: 600
            delay_limit_ms: 40000
            error_limit: 0.25
            delay_penalty_per_ms: 0.00001
            unmet_penalty: 2
            token_size_mb: 0.000008
            error_rates: {llama-3.1-70b: {fp8: 0.25}}
        models: [llama-3.1-8b, llama-3.1-70b]
        tiers:
          - {gpu: H100-SXM-80GB, precision: fp16}
          - {gpu: H100-SXM-80GB, precision: fp8}
          - {gpu: L40S, precision: fp16}
        error_rates:
          llama-3.1-8b: {base: 0.3}
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static HardwareCatalog Catalog => TestHardware.Catalog;

    private RobustInstance Build(string text) => RobustSpecFile.Read(_temp.Write("spec.yaml", text), Catalog);

    private IReadOnlyList<string> ErrorsOf(string text) =>
        [.. Assert.Throws<InputValidationException>(() => Build(text)).Errors.Select(e => e.ToString())];

    /// <summary>The latency of one query at concurrency 1, straight from the performance model.</summary>
    private static (bool Feasible, double Milliseconds) Predict(string model, string gpu, Precision precision, int tp, int input, int output)
    {
        Hardware hardware = Hardware.ForGpu(Catalog.FindGpu(gpu)!, Catalog, "aws");
        Deployment deployment = UniformLayout.Build(Catalog.FindModel(model)!, hardware, tp, 1, precision, Precision.Bf16).Deployment!;
        Evaluation e = PerformanceModel.Evaluate(deployment, new Workload(input, output, 1));
        return (e.Feasible, e.TimeToFirstToken.Milliseconds + ((output - 1) * e.TimePerOutputToken.Milliseconds));
    }

    [Fact]
    public void Should_derive_weights_kv_memory_compute_and_prices_from_the_catalog_When_a_spec_names_models_and_tiers()
    {
        // Given the hand spec (a 16-bit tier is listed, so B_j is the 16-bit size)
        // When it is built
        RobustInstance instance = Build(HandSpec);

        // Then B_j = (L × parameters per layer × 2 + (embedding + LM head) × 2) / 1e9:
        // 8B: layer = 4096·128·(2·32 + 2·8) + 3·4096·14336 + 2·4096 = 218,112,000; (32 × 218,112,000 × 2 + 2 × 525,336,576 × 2) / 1e9.
        // 70B: layer = 8192·128·(2·64 + 2·8) + 3·8192·28672 + 2·8192 = 855,654,400; (80 × 855,654,400 × 2 + 2 × 1,050,673,152 × 2) / 1e9.
        Assert.Equal(["llama-3.1-8b", "llama-3.1-70b"], instance.Models.Select(m => m.Name));
        Assert.Equal(16.060514304, instance.Models[0].SizeGigabytes, 9);
        Assert.Equal(141.107396608, instance.Models[1].SizeGigabytes, 9);

        // And β_j = 2 (K, V) × 8 KV heads × 128 × 2 bytes × layers / 1e9.
        Assert.Equal(4096.0 * 32 / 1e9, instance.Models[0].KvGigabytesPerToken, 15);
        Assert.Equal(4096.0 * 80 / 1e9, instance.Models[1].KvGigabytesPerToken, 15);

        // And C_k = GiB × 2^30 / 1e9 × 0.9; P_k the dense peak at the precision; p_k aws's cheapest per GPU
        // (p5.4xlarge 6.88 for 1 H100 = p5.48xlarge 55.04 / 8; g6e.xlarge 1.861 for 1 L40S).
        Assert.Equal(["H100-SXM-80GB_FP16", "H100-SXM-80GB_FP8", "L40S_FP16"], instance.Tiers.Select(t => t.Name));
        Assert.Equal(["FP16", "FP8", "FP16"], instance.Tiers.Select(t => t.Precision));
        Assert.Equal(80 * 1.073741824 * 0.9, instance.Tiers[0].MemoryGigabytes, 9);
        Assert.Equal(80 * 1.073741824 * 0.9, instance.Tiers[1].MemoryGigabytes, 9);
        Assert.Equal(48 * 1.073741824 * 0.9, instance.Tiers[2].MemoryGigabytes, 9);
        Assert.Equal([989.0, 1979.0, 362.05], instance.Tiers.Select(t => Math.Round(t.ComputeTflops, 9)));
        Assert.Equal([6.88, 6.88, 1.861], instance.Tiers.Select(t => Math.Round(t.PricePerHour, 9)));

        // And α_i = 2 × (80 × 855,654,400 + 1,050,673,152) / 1e12 TFLOP per token (70B, the heavier) × λ_i / 3600.
        Assert.Equal(0.139006050304, instance.QueryClasses[0].ComputeDemandAlpha, 12);
        Assert.Equal(0.139006050304 * 600 / 3600, instance.QueryClasses[1].ComputeDemandAlpha, 12);

        // And the classes and scalars are the spec's, with its defaults where it says nothing.
        QueryClass analysis = instance.QueryClasses[1];
        Assert.Equal(new QueryClass("analysis", 2048, 512, 600, 40000, 0.25, analysis.ComputeDemandAlpha, 0.000008, 0.00001, 2), analysis);
        Assert.Equal(4e-6, instance.QueryClasses[0].TokenSizeMegabytes);
        Assert.Equal(0, instance.QueryClasses[0].DelayPenaltyPerMillisecond);
        Assert.Equal(new RobustScalars(500, 24, 1000, 0.0001, 0.01, 1, 1, 10000), instance.Scalars);
        Assert.Equal([1, 2, 4, 8], instance.TpDegrees);
        Assert.Equal("hand", instance.Name);
    }

    [Fact]
    public void Should_take_delays_from_the_performance_model_at_the_smallest_tp_that_fits_When_a_spec_is_built()
    {
        // Given the hand spec: 70B in 16 bits (141 GB) does not fit one H100, it does at TP 2; 8B fits one L40S
        Assert.False(Predict("llama-3.1-70b", "H100-SXM-80GB", Precision.Fp16, 1, 512, 256).Feasible);
        var (fits, seventy) = Predict("llama-3.1-70b", "H100-SXM-80GB", Precision.Fp16, 2, 512, 256);
        Assert.True(fits);
        double eight = Predict("llama-3.1-8b", "L40S", Precision.Fp16, 1, 2048, 512).Milliseconds;

        // When it is built
        RobustInstance instance = Build(HandSpec);

        // Then d̄ = latency × TP ÷ r (so that d̄·r/n is the latency at n = TP), in ms per token, and d̂ = 0.1 × d̄
        Assert.Equal(seventy * 2 / 768, instance.DelayNominal[0, 1, 0], 9);
        Assert.Equal(eight / 2560, instance.DelayNominal[1, 0, 2], 9);
        Assert.Equal(0.1 * seventy * 2 / 768, instance.DelayDeviation[0, 1, 0], 9);
        Assert.Contains("llama-3.1-70b on H100-SXM-80GB_FP16 runs class 'chat' from TP 2: its delay is the latency there × 2.", instance.Notes);
    }

    [Fact]
    public void Should_apply_the_table_multipliers_and_the_overrides_When_error_rates_are_derived()
    {
        // Given the hand spec: 8B's base is overridden to 0.3 spec-wide; 70B fp8 is 0.25 for 'analysis' only
        // When it is built
        RobustInstance instance = Build(HandSpec);

        // Then 8B: 0.3 (fp16), 0.3 × 1.05 (fp8); 70B: the table's 1 − 0.793 (fp16), × 1.05 at fp8 for 'chat', 0.25 for 'analysis'
        Assert.Equal([0.3, 0.315, 0.3], Row(instance.ErrorNominal, 0, 0));
        Assert.Equal([0.207, 0.21735, 0.207], Row(instance.ErrorNominal, 0, 1));
        Assert.Equal([0.3, 0.315, 0.3], Row(instance.ErrorNominal, 1, 0));
        Assert.Equal([0.207, 0.25, 0.207], Row(instance.ErrorNominal, 1, 1));

        // And ê = 0.25 × ē
        Assert.Equal([0.05175, 0.0625, 0.05175], Row(instance.ErrorDeviation, 1, 1));
    }

    [Fact]
    public void Should_use_the_int4_multiplier_and_cap_rates_at_1_When_the_table_is_asked()
    {
        // Given 8B at 0.333 and an override base of 0.9
        // Then int4 is × 1.35 and 0.9 × 1.35 is capped at 1
        Assert.Equal(0.333 * 1.35, RobustErrorTable.RateFor("llama-3.1-8b", Precision.Int4)!.Value, 12);
        Assert.Equal(0.333 * 1.15, RobustErrorTable.RateFor("llama-3.1-8b", Precision.Int8)!.Value, 12);
        Assert.Null(RobustErrorTable.RateFor("mistral-7b", Precision.Fp16));
        var overrides = new ErrorRateOverrides { Rates = new Dictionary<string, IReadOnlyDictionary<string, double>> { ["m"] = new Dictionary<string, double> { ["base"] = 0.9 } } };
        Assert.Equal(1.0, overrides.RateFor("m", Precision.Int4));
    }

    [Fact]
    public void Should_make_a_pair_useless_for_a_class_When_the_model_runs_on_the_tier_at_no_tp_degree()
    {
        // Given 405B (≈ 811 GB in 16 bits) next to 8B on L40S (8 × 48 GiB ≈ 412 GB)
        string spec = """
            budget: 100
            classes: [{name: c, input_tokens: 100, output_tokens: 100, rate_per_hour: 10, delay_limit_ms: 5000, error_limit: 0.5, unmet_penalty: 1}]
            models: [llama-3.1-8b, llama-3.1-405b]
            tiers: [{gpu: L40S, precision: fp16}]
            """;

        // When it is built
        RobustInstance instance = Build(spec);

        // Then the 405B pair's d̄ is 100 × Δ × 8 ÷ r: even at TP 8 it meets the limit for at most 1/100 of the class
        Assert.Equal(100.0 * 5000 * 8 / 200, instance.DelayNominal[0, 1, 0], 9);
        Assert.Contains(instance.Notes, n => n.StartsWith("llama-3.1-405b on L40S_FP16 cannot run class 'c' at TP 1/2/4/8; its delay is set to 100× the limit. ", StringComparison.Ordinal));

        // And T^res defaults to the slowest request that runs (8B on one L40S), in hours
        double eight = Predict("llama-3.1-8b", "L40S", Precision.Fp16, 1, 100, 100).Milliseconds;
        Assert.Equal(eight / 3.6e6, instance.Scalars.KvResidencyTime, 15);
    }

    [Fact]
    public void Should_report_every_problem_When_tiers_have_no_price_and_models_no_error_rate()
    {
        // Given aws (no A6000 there), an RTX4090 (no catalog instance), an L40S priced by hand, and mistral-7b (not in
        // the error table)
        string spec = """
            provider: aws
            budget: 100
            classes: [{name: c, input_tokens: 100, output_tokens: 100, rate_per_hour: 10, delay_limit_ms: 5000, error_limit: 0.5, unmet_penalty: 1}]
            models: [llama-3.1-8b, mistral-7b]
            tiers:
              - {gpu: A6000, precision: fp16}
              - {gpu: RTX4090, precision: int8}
              - {gpu: L40S, precision: fp16, price_per_hour: 2.5}
            """;

        // When it is built, Then both tiers and the model are reported at once
        Assert.Equal(
            [
                "spec.yaml line 6, field 'tiers[0]': aws rents no A6000 in the catalog (providers with it: lambda, coreweave); give 'price_per_hour' (the price of one GPU per hour).",
                "spec.yaml line 7, field 'tiers[1]': no catalog instance has RTX4090; give 'price_per_hour' (the price of one GPU per hour).",
                "spec.yaml line 4, field 'models[1]': no error rate for mistral-7b at fp16, int8: the built-in table has only llama-3.2-1b, llama-3.2-3b, llama-3.1-8b, llama-3.1-70b, llama-3.1-405b. Give error_rates.mistral-7b.base (its 16-bit error rate, a fraction) or a rate per precision.",
            ],
            ErrorsOf(spec));

        // And with prices and a base rate for mistral-7b it builds, the hand price replacing the catalog's
        string fixedSpec = spec.Replace("{gpu: A6000, precision: fp16}", "{gpu: A6000, precision: fp16, price_per_hour: 0.8}", StringComparison.Ordinal)
            .Replace("precision: int8}", "precision: int8, price_per_hour: 0.4}", StringComparison.Ordinal)
            + "\nerror_rates: {mistral-7b: {base: 0.4}}\n";
        RobustInstance instance = Build(fixedSpec);
        Assert.Equal([0.8, 0.4, 2.5], instance.Tiers.Select(t => t.PricePerHour));
        Assert.Equal(0.4 * 1.15, instance.ErrorNominal[0, 1, 1], 12);
    }

    [Fact]
    public void Should_report_the_class_When_no_model_runs_its_queries_on_any_tier()
    {
        // Given a class of 200,000 + 10 tokens, beyond the 131,072-token context of Llama 3.1
        string spec = """
            budget: 100
            classes: [{name: long, input_tokens: 200000, output_tokens: 10, rate_per_hour: 10, delay_limit_ms: 5000, error_limit: 0.5, unmet_penalty: 1}]
            models: [llama-3.1-8b]
            tiers: [{gpu: H100-SXM-80GB, precision: fp8}]
            """;

        // When it is built, Then the class is named with the performance model's reason
        Assert.Equal(
            ["spec.yaml line 2, field 'classes[0]': no listed model runs a query of 200000 + 10 tokens on any listed tier at TP 1/2/4/8. Add a larger GPU, a smaller model or precision, or a shorter query. (llama-3.1-8b: a sequence of 200000 + 10 = 200010 tokens exceeds the model's context of 131072 tokens by 68938.)"],
            ErrorsOf(spec));
    }

    [Fact]
    public void Should_build_and_solve_to_optimal_When_the_example_spec_is_used()
    {
        // Given examples/robust/llama-spec.yaml
        // When it is built
        RobustInstance instance = RobustSpecFile.Read(Example, Catalog);

        // Then it has its 2 classes, 2 models and 3 tiers, and T^res is the slowest request that runs
        Assert.Equal((2, 2, 3), (instance.QueryClasses.Count, instance.Models.Count, instance.Tiers.Count));
        double slowest = 0;
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                for (int k = 0; k < 3; k++)
                {
                    PairLatency l = RobustInstanceBuilder.Latency(
                        Catalog.FindModel(instance.Models[j].Name)!,
                        new RobustTierSpec(Catalog.FindGpu(instance.Tiers[k].Gpu)!, PrecisionFacts.TryParse(instance.Tiers[k].Precision, out Precision p) ? p : Precision.Fp16),
                        instance.QueryClasses[i].InputTokens,
                        instance.QueryClasses[i].OutputTokens,
                        instance.TpDegrees,
                        "aws",
                        Catalog);
                    slowest = Math.Max(slowest, l.Milliseconds);
                }
            }
        }

        Assert.Equal(slowest / 3.6e6, instance.Scalars.KvResidencyTime, 15);

        // And the corrected formulation solves it to optimality
        var (model, _) = RobustFormulation.Build(instance, new RobustOptions());
        SolverResult result = CbcSolver.Instance.Solve(model, SolverOptions.Default with { Cuts = false, Heuristics = false });
        Assert.Equal(SolverStatus.Optimal, result.Status);
    }

    private static double[] Row(Table3 table, int i, int j) => [.. Enumerable.Range(0, table.Tiers).Select(k => Math.Round(table[i, j, k], 12))];
}
