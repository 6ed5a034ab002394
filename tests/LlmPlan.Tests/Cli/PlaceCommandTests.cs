using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

public partial class PlaceCommandTests
{
    private static readonly string Root = CliRun.RepositoryRoot;
    private static readonly string AwsPool = Path.Combine(Root, "examples", "seed", "aws-llama3-70b");
    private static readonly string Mixed = Path.Combine(Root, "examples", "place", "llama-70b-mixed.yaml");

    private const string SmallSpec = """
        model: llama-3.1-8b
        workload:
          input_tokens: 1024
          output_tokens: 256
        pool:
          - instance: g6.12xlarge
            count: 1
          - instance: g5.12xlarge
            count: 1
        limits:
          max_stages: 2
        """;

    [Fact]
    public void Should_be_no_worse_than_every_uniform_row_When_the_seed_pool_is_placed()
    {
        // Given the seed's HEAD config and AWS pool, 2048 in / 512 out (the issue's acceptance command)
        using var folder = new TempFolder();
        string sweep = Path.Combine(folder.Path, "sweep.csv");
        CliResult uniform = CliRun.Run("evaluate", "--sweep", "--config-dir", AwsPool, "--input-tokens", "2048", "--output-tokens", "512", "--out", sweep);

        // When the placement is solved
        CliResult r = CliRun.Run(
            "place", "--config-dir", AwsPool, "--sequence-length", "2048", "--output-length", "512", "--workload-phase", "aggregated", "--out", folder.Path);

        // Then it is optimal and costs no more per token than any feasible uniform configuration
        Assert.Equal(0, uniform.ExitCode);
        Assert.Equal(0, r.ExitCode);
        using JsonDocument solution = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "solution.json")));
        Assert.Equal("optimal", solution.RootElement.GetProperty("status").GetString());
        double placed = solution.RootElement.GetProperty("dollars_per_million_tokens").GetDouble();
        string[] lines = File.ReadAllLines(sweep);
        int column = Array.IndexOf(lines[0].Split(','), "dollar_per_million_token");
        int status = Array.IndexOf(lines[0].Split(','), "status");
        var feasible = lines.Skip(1).Select(l => Csv(l)).Where(c => c[status] == "SUCCESS").Select(c => double.Parse(c[column], CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(feasible);
        Assert.All(feasible, row => Assert.True(placed <= row + 1e-6, $"placement {placed} > uniform row {row}"));
        Assert.Contains("solved in", r.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder.Path, "solution_summary.csv")));
    }

    [Fact]
    public void Should_print_a_mixed_pipeline_When_the_example_spec_is_placed()
    {
        // Given the example spec (one L40S machine, two L4 machines, one A10G machine)
        using var folder = new TempFolder();
        byte[] before = File.ReadAllBytes(Mixed);

        // When it is placed
        CliResult r = CliRun.Run("place", Mixed, "--out", folder.Path);

        // Then the report, the JSON and the seed's summary match the verified files, and the spec is untouched
        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Place", "llama-70b-mixed", "txt", r.Output);
        Golden.Verify("Place", "llama-70b-mixed", "json", SolveSeconds().Replace(File.ReadAllText(Path.Combine(folder.Path, "solution.json")), "\"solve_seconds\": 0"));
        Golden.Verify("Place", "llama-70b-mixed-summary", "csv", File.ReadAllText(Path.Combine(folder.Path, "solution_summary.csv")));
        Assert.Equal(before, File.ReadAllBytes(Mixed));
    }

    [Fact]
    public void Should_write_the_frontier_When_asked_for_pareto()
    {
        // Given a small two-type pool of at most two stages
        using var folder = new TempFolder();
        string spec = folder.Write("small.yaml", SmallSpec);

        // When every non-dominated placement is listed
        CliResult r = CliRun.Run("place", spec, "--pareto", "--out", folder.Path);

        // Then the table, CSV and chart match the verified files
        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Place", "small-pareto", "txt", r.Output);
        Golden.Verify("Place", "small-pareto", "csv", File.ReadAllText(Path.Combine(folder.Path, "pareto.csv")));
        Golden.Verify("Place", "small-pareto", "svg", File.ReadAllText(Path.Combine(folder.Path, "pareto.svg")));
    }

    [Fact]
    public void Should_mark_the_best_batch_When_sweeping_batch_sizes()
    {
        // Given the small pool and batch sizes 8, 16, 32, 64 (doubling from 8)
        using var folder = new TempFolder();
        string spec = folder.Write("small.yaml", SmallSpec);

        // When the batch sweep runs
        CliResult r = CliRun.Run("sweep", "batch", spec, "--min-batch-size", "8", "--max-batch-size", "64", "--out", folder.Path);

        // Then every batch size has a row and the best one is marked
        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Place", "small-batch-sweep", "txt", r.Output);
        Golden.Verify("Place", "small-batch-sweep", "csv", File.ReadAllText(Path.Combine(folder.Path, "batch_sweep_results.csv")));
        Assert.True(File.Exists(Path.Combine(folder.Path, "batch-sweep.svg")));
        Assert.Single(File.ReadAllLines(Path.Combine(folder.Path, "batch_sweep_results.csv")), l => l.Contains(",YES,", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_exit_2_with_the_binding_limit_When_no_placement_meets_the_ttft()
    {
        // Given a TTFT limit of 1 ms, below any prefill of 1024 tokens
        using var folder = new TempFolder();
        string spec = folder.Write("small.yaml", SmallSpec);

        // When it is placed
        CliResult r = CliRun.Run("place", spec, "--ttft-ms", "1");

        // Then it exits 2 and names the limit with the best value any placement reaches
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"infeasible: no placement reaches a TTFT of 1 ms; the cheapest per token has [0-9.]+ ms\. Raise the TTFT limit or cap the concurrency\.", r.Output);
    }

    [Fact]
    public void Should_list_every_problem_When_the_spec_is_wrong()
    {
        // Given a spec with an unknown key, an unknown objective, a missing workload field and an unknown instance
        using var folder = new TempFolder();
        string spec = folder.Write("bad.yaml", """
            model: llama-3.1-8b
            workload:
              input_tokens: 1024
            pool:
              - instance: no-such-instance
            objective: fastest
            colour: blue
            """);

        // When it is read
        CliResult r = CliRun.Run("place", spec);

        // Then all problems are reported at once with their lines, exit 1
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            "error: 4 problems with the input:\n"
            + "  bad.yaml line 7, field 'colour': unknown field. Known fields here: model, precision, kv_precision, workload, provider, pool, pool_file, network, engine, objective, cost_weight, priority, tp_degrees, batch_sizes, limits.\n"
            + "  bad.yaml line 3, field 'workload': field 'output_tokens' is missing.\n"
            + "  bad.yaml line 5, field 'pool[0].instance': unknown instance 'no-such-instance'. 'llmplan catalog instances' lists them; --catalog DIR adds your own.\n"
            + "  bad.yaml line 6, field 'objective': 'fastest' is not an objective. Use one of: cost_per_million_tokens, tokens_per_s, cost_per_hour, weighted.\n",
            r.Error);
    }

    [Theory]
    [InlineData(new[] { "place" }, "  SPEC/--config-dir: give exactly one: a placement spec file, or --config-dir DIR (a placement seed config dir).\n")]
    [InlineData(new[] { "--workload-phase", "decode" }, "  --workload-phase: decode is not modelled on its own: the steady state includes each prompt's prefill on the same GPUs. Use aggregated.\n")]
    [InlineData(new[] { "--min-batch-size", "64", "--max-batch-size", "32" }, "  --min-batch-size: the range 64..32 is empty; give 1 ≤ min ≤ max.\n")]
    [InlineData(new[] { "--max-replicas", "2" }, "  --max-replicas: replicas only serve a target rate: add --target-tokens-per-s or --target-requests-per-s.\n")]
    [InlineData(new[] { "--method", "greedy" }, "  --method: 'greedy' is not a method. Use enumeration (least $ per million tokens) or weighted.\n")]
    public void Should_explain_the_flag_When_a_flag_is_wrong(string[] flags, string expected)
    {
        // Given the seed pool and one wrong flag
        string[] args = flags[0] == "place" ? ["place"] : ["place", "--config-dir", AwsPool, "--sequence-length", "2048", "--output-length", "512", .. flags];

        // When it runs
        CliResult r = CliRun.Run(args);

        // Then it exits 1 naming the flag, what is wrong and how to fix it
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: invalid input:\n" + expected, r.Error);
    }

    [Fact]
    public void Should_refuse_a_target_rate_When_listing_the_frontier()
    {
        // Given the small pool with a target rate
        using var folder = new TempFolder();
        string spec = folder.Write("small.yaml", SmallSpec);

        // When the frontier is asked for
        CliResult r = CliRun.Run("place", spec, "--pareto", "--target-tokens-per-s", "1000");

        // Then it says why not
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: invalid input:\n  --pareto: lists single pipelines; drop the target rate (each point's replicas would be another frontier).\n", r.Error);
    }

    [Fact]
    public void Should_give_identical_bytes_When_run_twice()
    {
        // Given the small spec placed twice
        using var folder = new TempFolder();
        string spec = folder.Write("small.yaml", SmallSpec);
        string a = Path.Combine(folder.Path, "a");
        string b = Path.Combine(folder.Path, "b");

        // When both runs write their solutions
        CliResult first = CliRun.Run("place", spec, "--out", a);
        CliResult second = CliRun.Run("place", spec, "--out", b);

        // Then stdout and the files agree byte for byte (solve_seconds aside)
        Assert.Equal(first.Output, second.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(a, "solution_summary.csv")), File.ReadAllText(Path.Combine(b, "solution_summary.csv")));
        Assert.Equal(
            SolveSeconds().Replace(File.ReadAllText(Path.Combine(a, "solution.json")), string.Empty),
            SolveSeconds().Replace(File.ReadAllText(Path.Combine(b, "solution.json")), string.Empty));
    }

    private static string[] Csv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return [.. cells];
    }

    [GeneratedRegex("\"solve_seconds\": [0-9.eE-]+")]
    private static partial Regex SolveSeconds();
}
