using LlmPlan.Catalog;
using LlmPlan.IO.Robust;
using LlmPlan.Planning.Robust;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Robust;

public sealed class RobustSpecFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private IReadOnlyList<string> ErrorsOf(string text) =>
        [.. Assert.Throws<InputValidationException>(() => RobustSpecFile.Read(_temp.Write("bad.yaml", text), TestHardware.Catalog)).Errors.Select(e => e.ToString())];

    [Fact]
    public void Should_report_every_problem_with_file_line_and_field_When_a_spec_is_wrong_in_many_places()
    {
        // Given a spec with an unknown key, an unknown provider, a wrong Γ, a repeated TP degree, an unknown model and GPU,
        // a bad and a missing precision, a negative rate, out-of-range limits, a class override for a model not listed, an
        // unknown class key, zero output tokens, a missing penalty, a repeated class name and an unknown rate key
        string text = """
            budget: 100
            colour: red
            provider: nowhere
            classes:
              - name: chat
                input_tokens: 512
                output_tokens: 256
                rate_per_hour: -1
                delay_limit_ms: 0
                error_limit: 1.5
                unmet_penalty: 1
                error_rates: {llama-3.3-70b: {base: 0.2}}
              - name: chat
                input_tokens: 10
                output_tokens: 0
                rate_per_hour: 1
                delay_limit_ms: 100
                error_limit: 0.1
                speed: fast
            models: [llama-9, llama-3.1-8b]
            tiers:
              - {gpu: NOPE, precision: fp16}
              - {gpu: L40S, precision: fp4}
              - {gpu: L40S}
            gamma: {delay: -1, budget: 2}
            tp_degrees: [1, 2, 2]
            error_rates:
              llama-3.1-8b: {base: 0.3, fp32: 0.1}
            """;

        // When it is read, Then every problem is listed at once
        Assert.Equal(
            [
                "bad.yaml line 2, field 'colour': unknown field. Known fields here: name, provider, horizon_hours, budget, storage, gamma, deviation, kv_residency_hours, tp_degrees, classes, models, tiers, error_rates.",
                "bad.yaml line 3, field 'provider': unknown provider 'nowhere'. Use one of: aws, gcp, azure, lambda, nebius, coreweave.",
                "bad.yaml line 25, field 'gamma.budget': unknown field. Known fields here: delay, error.",
                "bad.yaml line 25, field 'gamma.delay': -1 is out of range; it must be at least 0.",
                "bad.yaml line 26, field 'tp_degrees': lists a degree twice; list each once.",
                "bad.yaml line 20, field 'models[0]': unknown model 'llama-9'. Did you mean llama-3.1-8b, llama-3.1-70b, llama-3.1-405b, llama-3.3-70b, llama-2-7b? 'llmplan catalog models' lists them; --catalog DIR adds your own.",
                "bad.yaml line 22, field 'tiers[0].gpu': unknown GPU 'NOPE'. 'llmplan catalog gpus' lists them; --catalog DIR adds your own.",
                "bad.yaml line 23, field 'tiers[1].precision': 'fp4' is not a tier precision. Use one of: fp16, bf16, fp8, int8, int4.",
                "bad.yaml line 24, field 'tiers[2]': field 'precision' is missing (fp16, bf16, fp8, int8 or int4).",
                "bad.yaml line 8, field 'classes[0].rate_per_hour': -1 is out of range; it must be at least 0.",
                "bad.yaml line 9, field 'classes[0].delay_limit_ms': 0 is out of range; it must be greater than 0.",
                "bad.yaml line 10, field 'classes[0].error_limit': 1.5 is out of range; it must be at most 1.",
                "bad.yaml line 12, field 'classes[0].error_rates.llama-3.3-70b': 'llama-3.3-70b' is not one of the spec's models (llama-3.1-8b).",
                "bad.yaml line 19, field 'classes[1].speed': unknown field. Known fields here: name, input_tokens, output_tokens, rate_per_hour, delay_limit_ms, error_limit, delay_penalty_per_ms, unmet_penalty, token_size_mb, error_rates.",
                "bad.yaml line 15, field 'classes[1].output_tokens': 0 is out of range; it must be at least 1.",
                "bad.yaml line 13, field 'classes[1]': field 'unmet_penalty' is missing (the $ lost per query not served).",
                "bad.yaml line 13, field 'classes[1].name': class 'chat' is listed twice; names must be unique.",
                "bad.yaml line 28, field 'error_rates.llama-3.1-8b.fp32': unknown field. Known fields here: base, fp16, bf16, fp8, int8, int4.",
            ],
            ErrorsOf(text));
    }

    [Fact]
    public void Should_name_each_missing_section_When_a_spec_has_no_budget_models_tiers_or_classes()
    {
        // Given a spec with only a name and an empty tier list
        // When it is read, Then the budget, models and classes are missing and the tiers empty
        Assert.Equal(
            [
                "bad.yaml line 1: field 'budget' is missing (the most to spend over the horizon, in $).",
                "bad.yaml line 1: field 'models' is missing (a list of catalog model ids, e.g. [llama-3.1-8b, llama-3.1-70b]).",
                "bad.yaml line 2, field 'tiers': is empty; list at least one.",
                "bad.yaml line 1: field 'classes' is missing (a list of query classes with name, input_tokens, output_tokens, rate_per_hour, delay_limit_ms, error_limit and unmet_penalty).",
            ],
            ErrorsOf("name: empty\ntiers: []\n"));
    }

    [Fact]
    public void Should_fill_the_documented_defaults_When_a_spec_gives_only_the_required_keys()
    {
        // Given a spec with only budget, one class (required keys only), one model and one tier
        string path = _temp.Write("minimal.yml", """
            budget: 50
            classes: [{name: c, input_tokens: 100, output_tokens: 20, rate_per_hour: 60, delay_limit_ms: 5000, error_limit: 0.5, unmet_penalty: 1}]
            models: [LLAMA-3.1-8B]
            tiers: [{gpu: l40s, precision: BF16}]
            """);

        // When it is read
        RobustSpec spec = RobustSpecFile.ReadSpec(path, TestHardware.Catalog);

        // Then the defaults apply and catalog ids are spelled as the catalog does
        Assert.Equal("minimal", spec.Name);
        Assert.Null(spec.Provider);
        Assert.Equal(
            (12.0, 1000.0, 0.0001, 1.0, 1.0, 0.2, 0.2, (double?)null),
            (spec.HorizonHours, spec.StorageCapacityGigabytes, spec.StoragePricePerGigabyteHour, spec.GammaDelay, spec.GammaError, spec.DelayDeviation, spec.ErrorDeviation, spec.KvResidencyHours));
        Assert.Equal([1, 2, 4, 8], spec.TpDegrees);
        Assert.Equal(new RobustClassSpec("c", 100, 20, 60, 5000, 0.5, 0, 1, 4e-6) { Where = spec.Classes[0].Where }, spec.Classes[0]);
        Assert.Equal("llama-3.1-8b", spec.Models[0].Id);
        Assert.Equal(("L40S_BF16", Precision.Bf16, (double?)null), (spec.Tiers[0].Name, spec.Tiers[0].Precision, spec.Tiers[0].PricePerHour));
    }

    [Theory]
    [InlineData("spec.yaml", true)]
    [InlineData("dir/spec.YML", true)]
    [InlineData("seed42-instance.json", false)]
    [InlineData("spec", false)]
    public void Should_tell_a_spec_by_its_extension_When_asked_whether_a_file_looks_like_one(string path, bool expected)
    {
        // Given a path, When asked, Then .yaml and .yml (any case) are specs and the rest are not
        Assert.Equal(expected, RobustSpecFile.LooksLikeSpec(path));
    }

    [Fact]
    public void Should_say_the_file_does_not_exist_When_the_path_is_wrong()
    {
        // Given a path with no file, When it is read, Then the one error names it
        string path = Path.Combine(_temp.Path, "missing.yaml");
        var e = Assert.Throws<InputValidationException>(() => RobustSpecFile.Read(path, TestHardware.Catalog));
        Assert.Equal([$"{path}: the file does not exist. Check the path."], e.Errors.Select(x => x.ToString()));
    }
}
