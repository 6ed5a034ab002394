using System.Text.RegularExpressions;
using LlmPlan.IO.Robust;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Robust;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Tests.Planning.Robust;

namespace LlmPlan.Tests.Cli;

/// <summary>One run of <c>sweep robust</c> on a 2 × 2 grid of the seed-42 instance (seed formulation), shared by the
/// tests: each point is a full MILP solve (about 1.5 s), so the grid is solved once.</summary>
public sealed class RobustSweepRun : IDisposable
{
    public static readonly string[] Grid = ["--grid", "gpu-price=0.9,1.0", "--grid", "error-threshold=0.9:1.0:0.1"];

    public static readonly SweepAxis[] Axes = [new(ScaledParameter.GpuPrice, [0.9, 1.0]), new(ScaledParameter.ErrorThreshold, [0.9, 1.0])];

    private readonly TempFolder _folder = new();

    public RobustSweepRun()
    {
        Result = CliRun.Run(["sweep", "robust", RobustFixture.Path, "--formulation", "seed", .. Grid, "--out", _folder.Path]);
        Files = Directory.GetFiles(_folder.Path).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
    }

    public CliResult Result { get; }

    public string Folder => _folder.Path;

    /// <summary>Gets the written files by name.</summary>
    public IReadOnlyDictionary<string, string> Files { get; }

    public void Dispose() => _folder.Dispose();
}

public partial class RobustSweepCommandTests(RobustSweepRun run) : IClassFixture<RobustSweepRun>
{
    private static readonly RobustOptions Seed = new() { Formulation = FormulationKind.Seed };

    [Fact]
    public void Should_write_the_csv_the_charts_and_a_summary_When_a_2x2_grid_is_swept()
    {
        // Given the 2 × 2 grid, When swept, Then every point solves, progress goes to stderr, the table to stdout.
        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal("sweep: 1/4 points solved\nsweep: 2/4 points solved\nsweep: 3/4 points solved\nsweep: 4/4 points solved\n", run.Result.Error);
        Golden.Verify("RobustSweep", "seed-2x2", "txt", run.Result.Output.Replace(run.Folder, "OUT", StringComparison.Ordinal));
        Assert.Equal(
            ["cost-breakdown.svg", "cost-vs-error-threshold.svg", "cost-vs-gpu-price.svg", "heatmap-delay-cost.svg", "heatmap-rental-cost.svg", "heatmap-total-cost.svg", "heatmap-unmet-cost.svg", "robust-sweep.csv", "tp-distribution.svg"],
            run.Files.Keys.Order(StringComparer.Ordinal));
        Golden.Verify("RobustSweep", "seed-2x2", "csv", MaskTimes(run.Files["robust-sweep.csv"]));
    }

    [Theory]
    [InlineData("heatmap-total-cost.svg")]
    [InlineData("heatmap-rental-cost.svg")]
    [InlineData("heatmap-unmet-cost.svg")]
    [InlineData("heatmap-delay-cost.svg")]
    [InlineData("cost-vs-error-threshold.svg")]
    [InlineData("cost-vs-gpu-price.svg")]
    [InlineData("cost-breakdown.svg")]
    [InlineData("tp-distribution.svg")]
    public void Should_match_the_golden_chart_When_a_2x2_grid_is_swept(string file) =>
        Golden.Verify("RobustSweep", "seed-2x2-" + Path.GetFileNameWithoutExtension(file), "svg", run.Files[file]);

    [Fact]
    public void Should_equal_a_direct_solve_When_the_point_is_at_factor_1()
    {
        // Given the instance scaled by 1.0 and 1.0, When solved as 'llmplan robust' does, Then its CSV row is the sweep's.
        RobustInstance instance = RobustInstanceReader.Read(RobustFixture.Path);
        RobustSolution direct = RobustPlanner.Solve(instance, Seed, CbcSolver.Instance, RobustPlanner.DefaultSolverOptions);
        string row = MaskTimes(RobustSweepWriter.Csv(RobustSweepRun.Axes, [new([1.0, 1.0], direct)])).Split('\n')[1];
        Assert.Equal(row, MaskTimes(run.Files["robust-sweep.csv"]).Split('\n')[4]);
        Assert.StartsWith("1.0,1.0,optimal,494.9981,405.7434,1.9080,43.5956,0.0000,21.4574,22.2938,", row, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_write_the_same_bytes_but_the_times_When_the_sweep_runs_again_one_point_at_a_time()
    {
        // Given the same grid solved again with one row at a time (another schedule), Then the CSV differs only in times
        // and the charts not at all.
        var again = Solved.Value;
        Assert.Equal(MaskTimes(run.Files["robust-sweep.csv"]), MaskTimes(RobustSweepWriter.Csv(RobustSweepRun.Axes, again)));
        var charts = RobustSweepWriter.Charts(RobustSweepRun.Axes, again, "rodiu-seed42");
        Assert.All(charts, c => Assert.Equal(run.Files[c.FileName], c.Svg));
    }

    [Fact]
    public void Should_draw_the_cost_terms_When_one_parameter_is_swept()
    {
        // Given the gpu-price = 1.0 row as a one-axis sweep over the error-rate limit (no new solves).
        var points = Solved.Value.Where(p => p.Factors[0] == 1.0).Select(p => new RobustSweepPoint([p.Factors[1]], p.Solution)).ToList();
        SweepAxis[] axes = [RobustSweepRun.Axes[1]];
        var charts = RobustSweepWriter.Charts(axes, points, "rodiu-seed42");
        Assert.Equal(["cost-vs-error-threshold.svg", "cost-breakdown.svg", "tp-distribution.svg"], charts.Select(c => c.FileName));
        Golden.Verify("RobustSweep", "seed-1d-cost-terms", "svg", charts[0].Svg);
        Assert.StartsWith("error_threshold_scale,status,total_cost,C1,", RobustSweepWriter.Csv(axes, points), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_keep_infeasible_points_as_rows_and_grey_cells_When_a_point_has_no_allocation()
    {
        // Given the grid with the (0.9, 0.9) point replaced by an infeasible one.
        var points = Solved.Value.ToList();
        points[0] = points[0] with { Solution = new RobustSolution { Instance = points[0].Solution.Instance, Options = Seed, Status = RobustStatus.Infeasible, Reason = "test" } };

        // When written, Then the row has the factors, the status and a time only; the heatmap cell is grey and empty.
        string csv = RobustSweepWriter.Csv(RobustSweepRun.Axes, points);
        Assert.Equal("0.9,0.9,infeasible" + new string(',', 30) + ",0.000", csv.Split('\n')[1]);
        var charts = RobustSweepWriter.Charts(RobustSweepRun.Axes, points, "x").ToDictionary(c => c.FileName, c => c.Svg);
        Assert.Contains("#d0d0d0", charts["heatmap-total-cost.svg"], StringComparison.Ordinal);
        Assert.Contains("; gaps are infeasible", charts["cost-vs-gpu-price.svg"], StringComparison.Ordinal);
        Assert.Contains("gpu-price × error-threshold factors; 1 infeasible left out", charts["cost-breakdown.svg"], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_draw_12_representative_bars_When_more_than_30_points_solve()
    {
        // Given 40 solved points (the four solutions repeated on a one-axis grid).
        var solved = Solved.Value;
        var points = Enumerable.Range(0, 40).Select(i => new RobustSweepPoint([1 + (i * 0.1)], solved[i % 4].Solution)).ToList();
        SweepAxis[] axes = [new(ScaledParameter.Budget, [.. points.Select(p => p.Factors[0])])];

        // When charted, Then the bars are 12 points spread over the cost range, cheapest and dearest included.
        string bars = RobustSweepWriter.Charts(axes, points, "x").Single(c => c.FileName == "cost-breakdown.svg").Svg;
        Assert.Contains("budget factors (12 of 40 solved points, by total cost)", bars, StringComparison.Ordinal);
        Assert.Equal(12, Regex.Matches(bars, ">454.4<|>467.2<|>495.0<|>499.4<").Count);
    }

    [Fact]
    public void Should_exit_2_and_still_write_the_row_When_no_point_solves()
    {
        // Given GPUs with 1 % of their memory, which no model fits (infeasible before any branching: a quick solve).
        using var folder = new TempFolder();
        CliResult r = CliRun.Run("sweep", "robust", RobustFixture.Path, "--formulation", "seed", "--grid", "gpu-memory=0.01", "--out", folder.Path);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("1 point: 0 solved, 1 infeasible.\nno point has an allocation: no allocation satisfies every constraint: Code_Gen: ", r.Output, StringComparison.Ordinal);
        Assert.StartsWith("0.01,infeasible,,", File.ReadAllLines(Path.Combine(folder.Path, "robust-sweep.csv"))[1], StringComparison.Ordinal);
        Assert.Equal(["cost-breakdown.svg", "cost-vs-gpu-memory.svg", "robust-sweep.csv", "tp-distribution.svg"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Should_exit_1_with_every_problem_When_the_grid_flags_are_wrong()
    {
        CliResult r = CliRun.Run("sweep", "robust", "--preset", "cost", "--grid", "budget=1", "--out", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            "error: 2 problems with the input:\n  INSTANCE: is required: a robust instance JSON, e.g. examples/robust/seed42-instance.json (or use 'llmplan robust generate'), or a spec YAML.\n  --preset: goes without --grid: a preset is a whole grid; give one or the other.\n",
            r.Error);

        r = CliRun.Run("sweep", "robust", RobustFixture.Path, "--preset", "cost", "--out", "x");
        Assert.Equal("error: invalid input:\n  --preset: 'cost' is not one of: cost-budget, delay-error, gpu-cost-error, memory-error.\n", r.Error);

        r = CliRun.Run("sweep", "robust", RobustFixture.Path, "--out", "x", "--formulation", "seed", "--split-traffic");
        Assert.Equal(
            "error: 2 problems with the input:\n  --split-traffic: goes with --formulation corrected only: the seed routes each query type to one pair.\n  --grid: is required: one or two NAME=FROM:TO:STEP (e.g. --grid gpu-price=0.5:1.5:0.1), or --preset NAME.\n",
            r.Error);
    }

    /// <summary>The grid solved again through the library, one row at a time, once for every test that needs the
    /// <see cref="RobustSolution"/>s (the CLI run leaves only files).</summary>
    private static readonly Lazy<IReadOnlyList<RobustSweepPoint>> Solved = new(() =>
        RobustSweep.Run(RobustInstanceReader.Read(RobustFixture.Path), RobustSweepRun.Axes, Seed, CbcSolver.Instance, maxParallelism: 1));

    private static string MaskTimes(string csv) => SolveSeconds().Replace(csv, ",0.000\n");

    [GeneratedRegex(@",\d+\.\d{3}\n")]
    private static partial Regex SolveSeconds();
}
