using System.Text.Json;
using System.Text.RegularExpressions;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Tests.Planning.Robust;

namespace LlmPlan.Tests.Cli;

public partial class RobustSolveTests
{
    [Fact]
    public void Should_print_494_9981_And_the_published_allocation_When_the_seed_formulation_is_solved()
    {
        // Given the seed-42 instance and the seed formulation
        using var folder = new TempFolder();
        string json = Path.Combine(folder.Path, "r.json");
        byte[] before = File.ReadAllBytes(RobustFixture.Path);

        // When solved from the command line
        CliResult r = CliRun.Run("robust", RobustFixture.Path, "--formulation", "seed", "--out", json);

        // Then the optimum is the seed's published one, the report is the reviewed one, and the input is untouched
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("status: optimal; total cost 494.9981 $ over 12 h\n", r.Output, StringComparison.Ordinal);
        Golden.Verify("Robust", "seed42-seed", "txt", r.Output);
        Golden.Verify("Robust", "seed42-seed", "json", SolveSeconds().Replace(File.ReadAllText(json), "\"solve_seconds\": 0"));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (string key in new[] { "status", "objective", "breakdown", "deployments", "routing", "unmet", "gap", "solve_seconds", "constraints" })
        {
            Assert.True(doc.RootElement.TryGetProperty(key, out _), key);
        }

        Assert.Equal(before, File.ReadAllBytes(RobustFixture.Path));
    }

    [Fact]
    public void Should_solve_the_corrected_formulation_And_compare_with_the_deterministic_allocation_When_simulated()
    {
        CliResult r = CliRun.Run("robust", RobustFixture.Path, "--simulate", "200");

        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Robust", "seed42-corrected-simulate", "txt", r.Output);
    }

    [Fact]
    public void Should_exit_2_naming_the_class_When_memory_is_scaled_too_small()
    {
        CliResult r = CliRun.Run("robust", RobustFixture.Path, "--formulation", "seed", "--scale", "gpu-memory=0.05");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("infeasible: no allocation satisfies every constraint: Image_Gen: no model on any GPU tier holds 0.6 of its traffic (at most 0.4 may go unmet) at any TP degree", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_delay_limit_When_the_seed_formulations_delay_rows_cannot_hold()
    {
        CliResult r = CliRun.Run("robust", RobustFixture.Path, "--formulation", "seed", "--scale", "delay-threshold=0.001");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("infeasible: no allocation satisfies every constraint: Video_Gen: the lowest worst-case delay of a pair that can carry it is 61.718 ms, above even Δ × 8 = 40 ms (the seed multiplies Δ by the last pair's TP degree) by 21.718 ms. Raise the limit (--scale delay-threshold=…).\n", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_say_no_weights_fit_When_gpu_memory_is_scaled_to_almost_nothing()
    {
        CliResult r = CliRun.Run("robust", RobustFixture.Path, "--scale", "gpu-memory=0.002");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("infeasible: no allocation satisfies every constraint: no model's weights fit on any GPU tier at any TP degree: the smallest, Llama-3.2-1B, needs 0.25 GB per GPU at TP 8 but the largest tier has 0.16 GB.", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_exit_1_with_every_problem_When_the_flags_are_wrong()
    {
        CliResult r = CliRun.Run("robust", "--formulation", "paper", "--split-traffic", "--scale", "price=2", "--scale", "budget=x", "--gamma-delay", "-1", "--simulate", "0", "--gap", "2");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            """
            error: 7 problems with the input:
              INSTANCE: is required: a robust instance JSON, e.g. examples/robust/seed42-instance.json (or use 'llmplan robust generate'), or a spec YAML.
              --formulation: 'paper' is not one of: seed, corrected.
              --gamma-delay: must be a number ≥ 0 (how many deviations may be at their worst at once).
              --scale: 'price=2' is not NAME=FACTOR with NAME one of: gpu-price, budget, delay-threshold, error-threshold, gpu-memory.
              --scale budget: 'x' is not a number. Write a finite number with '.' as the decimal separator.
              --gap: must be a fraction in [0, 1), e.g. 0.01.
              --simulate: 0 is out of range; give the number of draws, at least 1.

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            r.Error);
    }

    [Fact]
    public void Should_plan_from_the_catalog_When_given_a_spec()
    {
        CliResult r = CliRun.Run("robust", Path.Combine(CliRun.RepositoryRoot, "examples", "robust", "llama-spec.yaml"));

        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Robust", "llama-spec", "txt", r.Output);
    }

    [Fact]
    public void Should_reject_split_traffic_When_the_seed_formulation_is_asked()
    {
        CliResult r = CliRun.Run("robust", RobustFixture.Path, "--formulation", "seed", "--split-traffic");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--split-traffic: goes with --formulation corrected only: the seed routes each query type to one pair.", r.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex("\"solve_seconds\": [0-9.]+")]
    private static partial Regex SolveSeconds();
}
