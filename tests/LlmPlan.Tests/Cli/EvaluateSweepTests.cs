using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

public class EvaluateSweepTests
{
    private const string Pool = "instance_name,count\ng6e.12xlarge,2\ng5.xlarge,1\n";

    [Fact]
    public void Should_write_the_seed_eval_columns_and_ours_When_a_pool_is_swept()
    {
        // Given a pool of 2 g6e.12xlarge (4 × L40S) and 1 g5.xlarge (1 × A10G), When llama-3.1-8b is swept,
        // Then every TP × PP the pool hosts is evaluated (g6e.12xlarge: TP 1 × PP 1-8, TP 2 × PP 1-4,
        // TP 4 × PP 1-2; g5.xlarge: TP 1 × PP 1: 10 in all) and the CSV matches its golden file.
        using var temp = new TempFolder();
        string pool = temp.Write("gpu_pool.csv", Pool);
        string csv = Path.Combine(temp.Path, "sweep.csv");
        CliResult result = CliRun.Run("evaluate", "--sweep", "--pool", pool, "--model", "llama-3.1-8b", "--input-tokens", "1024", "--output-tokens", "256", "--out", csv);
        Assert.Equal(0, result.ExitCode);
        Golden.Verify("Evaluate", "sweep-small-pool", "txt", result.Output);
        Golden.Verify("Evaluate", "sweep-small-pool", "csv", File.ReadAllText(csv));
        Assert.Equal("sweep: 3/10 configurations evaluated\nsweep: 5/10 configurations evaluated\nsweep: 8/10 configurations evaluated\nsweep: 10/10 configurations evaluated\n", result.Error);
    }

    [Fact]
    public void Should_take_model_and_pool_from_the_config_dir_When_a_seed_dir_is_swept()
    {
        // Given the seed's HEAD llama3-70b dir, When swept at 2048/512, Then the model of config.csv is used and the best
        // row's $/Mtok is positive; every row is either feasible or carries a reason.
        using var temp = new TempFolder();
        string csv = Path.Combine(temp.Path, "sweep.csv");
        string dir = Path.Combine(CliRun.RepositoryRoot, "examples", "seed", "aws-llama3-70b");
        CliResult result = CliRun.Run("evaluate", "--sweep", "--config-dir", dir, "--input-tokens", "2048", "--output-tokens", "512", "--out", csv);
        Assert.Equal(0, result.ExitCode);
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(160, lines.Length);
        Assert.All(lines.Skip(1), line => Assert.Contains(",llama3-70b,80,", line, StringComparison.Ordinal));
        Assert.All(lines.Skip(1), line => Assert.True(line.Contains(",SUCCESS,", StringComparison.Ordinal) || line.Contains(",INFEASIBLE,", StringComparison.Ordinal)));
    }

    [Fact]
    public void Should_pay_for_the_gpus_used_When_an_era_a_pool_is_swept()
    {
        // Given the seed's hal dir (64 V100 16 GB as 8 nodes of 8, no prices: 3.06 $ per GPU-hour from AWS p3), When
        // llama-3.1-70b is swept, Then TP 8 × PP 1 costs 8 GPUs × 3.06 = 24.48 $/h, TP 8 × PP 2 twice that (the seed billed
        // these pools per GPU used), and the 64×64 matrix of hal is not needed by the sweep.
        using var temp = new TempFolder();
        string csv = Path.Combine(temp.Path, "sweep.csv");
        string dir = Path.Combine(CliRun.RepositoryRoot, "examples", "seed", "hal");
        CliResult result = CliRun.Run("evaluate", "--sweep", "--config-dir", dir, "--model", "llama-3.1-70b", "--output-tokens", "256", "--out", csv);
        Assert.True(result.ExitCode is 0 or 2, result.Error);
        var table = LlmPlan.IO.CsvTable.Parse("sweep.csv", File.ReadAllText(csv), new LlmPlan.Validation.InputErrors());
        string Cost(string pp) => table.Rows.Single(r => r.Text("tp_degree") == "8" && r.Text("pp_stages") == pp).Text("cost_per_hour");
        Assert.Equal("24.48", Cost("1"));
        Assert.Equal("48.96", Cost("2"));
    }

    [Fact]
    public void Should_refuse_conflicting_inputs_When_the_sweep_is_misused()
    {
        using var temp = new TempFolder();
        string pool = temp.Write("gpu_pool.csv", Pool);
        CliResult result = CliRun.Run("evaluate", "--sweep", "--pool", pool, "--config-dir", temp.Path, "--tp", "2", "--input-tokens", "10", "--output-tokens", "10", "--out", "x.json");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "error: 5 problems with the input:\n"
            + "  --tp: does not go with --sweep: the sweep tries every instance family, TP and PP of the pool. Drop the flag.\n"
            + "  --pool/--config-dir: --sweep needs exactly one: --pool gpu_pool.csv (with --model) or --config-dir DIR (a seed config dir).\n"
            + "  --out: 'x.json' must end in .csv: a sweep writes one row per configuration.\n"
            + $"  {Path.Combine(temp.Path, "config.csv")}: the file does not exist. A seed config directory holds config.csv (parameter,value rows).\n"
            + "  --model: is required with --pool (a config dir names its model in config.csv).\n",
            result.Error);
    }
}
