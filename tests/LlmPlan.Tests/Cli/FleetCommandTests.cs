using System.Text.RegularExpressions;
using LlmPlan.IO.Fleet;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Fleet;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Tests.Planning.Fleet;
using LlmPlan.Units;

namespace LlmPlan.Tests.Cli;

public partial class FleetCommandTests
{
    private static readonly string Examples = Path.Combine(CliRun.RepositoryRoot, "examples", "fleet");

    [Fact]
    public void Should_print_melanges_answer_and_tables_When_its_example_is_planned()
    {
        using var folder = new TempFolder();
        string json = Path.Combine(folder.Path, "plan.json");
        string input = Path.Combine(Examples, "melange-example.json");
        byte[] before = File.ReadAllBytes(input);

        CliResult r = CliRun.Run("fleet", input, "--out", json);

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("{\"A10G\": 3, \"A100-80GB\": 1, \"cost\": 6.7}\n", r.Output, StringComparison.Ordinal);
        Golden.Verify("Fleet", "melange-example", "txt", r.Output);
        Golden.Verify("Fleet", "melange-example", "json", SolveSeconds().Replace(File.ReadAllText(json), "\"solve_seconds\": 0"));
        Assert.Equal(before, File.ReadAllBytes(input));
    }

    [Fact]
    public void Should_cost_5_69_When_the_slice_factor_is_overridden()
    {
        CliResult r = CliRun.Run("fleet", Path.Combine(Examples, "melange-example.json"), "--slice-factor", "2");
        Assert.StartsWith("{\"A10G\": 2, \"A100-80GB\": 1, \"cost\": 5.69}\n", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_plan_from_the_performance_model_When_given_a_spec_without_profiles()
    {
        CliResult r = CliRun.Run("fleet", Path.Combine(Examples, "llama-3.1-8b-spec.yaml"));
        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Fleet", "llama-3.1-8b-spec", "txt", r.Output);
    }

    [Fact]
    public void Should_exit_2_naming_the_bucket_When_no_gpu_can_serve_it()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "zero.json");
        File.WriteAllText(path, """{"gpu_info": {"A10G": {"cost": 1.01, "tputs": [[2, 0]]}}, "workload_distribution": [[0.5, 0.5]], "total_request_rate": 10}""");
        CliResult r = CliRun.Run("fleet", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("infeasible: no option can serve (input 1, output 2) (5 requests/s): every throughput there is 0 (the SLO cannot be met). Add an option that can, relax the SLO, or remove those requests.\n", r.Output, StringComparison.Ordinal);
        Assert.StartsWith("null\n", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_exit_1_with_every_problem_When_the_flags_are_wrong()
    {
        CliResult r = CliRun.Run("fleet", Path.Combine(Examples, "melange-example.json"), "--rate", "-3", "--slice-factor", "0", "--utilization", "1.5");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            "error: 3 problems with the input:\n  --rate: must be a number ≥ 0 (requests/s).\n  --slice-factor: must be an integer ≥ 1.\n  --utilization: must be in (0, 1], e.g. 0.8 for 20 % headroom.\n",
            r.Error);
    }

    [Fact]
    public void Should_prove_an_optimum_at_every_rate_When_the_arena_profiles_are_planned()
    {
        // Given the real Llama-2-7B vLLM profiles on L4, A10G, A100, H100 and the Chatbot Arena distribution, When planned
        // at every rate 1..32 requests/s with whole buckets, Then each solve is a proven optimum no dearer than the best
        // single GPU type, and at rates 1, 4 and 32 with slice factors 1 and 4 its cost equals Mélange's own
        // per-slice formulation.
        MelangeConfig config = MelangeConfigReader.Read(Path.Combine(Examples, "melange-llama2-7b-arena.json"));
        foreach (int rate in Enumerable.Range(1, 32))
        {
            FleetProblem problem = config.ToProblem(RequestsPerSecond.FromRequestsPerSecond(rate), 1);
            FleetPlan plan = FleetPlanner.Plan(problem, CbcSolver.Instance);
            Assert.Equal(FleetStatus.Optimal, plan.Status);
            Assert.True(plan.CostPerHour.Value <= plan.BestSingleType!.CostPerHour!.Value.Value + 1e-9);
            if (rate is 1 or 4 or 32)
            {
                Assert.Equal(FleetTestProblems.PerSliceOptimum(problem), plan.CostPerHour.Value, 6);
                FleetProblem sliced = config.ToProblem(RequestsPerSecond.FromRequestsPerSecond(rate), 4);
                Assert.Equal(FleetTestProblems.PerSliceOptimum(sliced), FleetPlanner.Plan(sliced, CbcSolver.Instance).CostPerHour.Value, 6);
            }
        }
    }

    [Fact]
    public void Should_refuse_to_overwrite_the_input_When_out_names_it()
    {
        using var folder = new TempFolder();
        string input = Path.Combine(folder.Path, "config.json");
        File.Copy(Path.Combine(Examples, "melange-example.json"), input);
        CliResult r = CliRun.Run("fleet", input, "--out", input);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"error: invalid input:\n  --out: names the input file '{input}', which is never overwritten; write to another file.\n", r.Error);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Examples, "melange-example.json")), File.ReadAllBytes(input));
    }

    [Fact]
    public void Should_write_a_csv_and_a_chart_per_rate_When_a_rate_sweep_is_run()
    {
        // Given Mélange's example at 10, 20 and 30 requests/s, Then each row is the plan at that rate: at 30 it is
        // 3 A10G + 1 A100-80GB = 6.7 $/h against 7.34 for A100-80GB alone.
        using var folder = new TempFolder();
        CliResult r = CliRun.Run("sweep", "fleet", Path.Combine(Examples, "melange-example.json"), "--rates", "10:30:10", "--out", folder.Path);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("sweep: 1/3 rates planned\nsweep: 2/3 rates planned\nsweep: 3/3 rates planned\n", r.Error);
        string csv = File.ReadAllText(Path.Combine(folder.Path, "fleet-sweep.csv"));
        Assert.EndsWith("30,optimal,6.7,3,1,12.12,7.34,7.34,8.72\n", csv, StringComparison.Ordinal);
        Golden.Verify("Fleet", "sweep-melange-example", "csv", csv);
        Golden.Verify("Fleet", "sweep-melange-example", "svg", File.ReadAllText(Path.Combine(folder.Path, "fleet-sweep.svg")));
    }

    [Fact]
    public void Should_list_the_rate_problems_When_the_rates_are_malformed()
    {
        using var folder = new TempFolder();
        CliResult r = CliRun.Run("sweep", "fleet", Path.Combine(Examples, "melange-example.json"), "--rates", "5:1:1", "--out", folder.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: invalid input:\n  --rates: FROM:TO:STEP needs FROM ≤ TO and STEP > 0, e.g. 1:32:1.\n", r.Error);
    }

    [GeneratedRegex("\"solve_seconds\": [0-9.eE-]+")]
    private static partial Regex SolveSeconds();
}
