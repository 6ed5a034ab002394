using System.Globalization;
using System.Text.Json;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

public class CalibrateCommandTests
{
    /// <summary>The seed's offline batches held 50 prompts (docs/accuracy.md), so its engine ran at most 50 at once.</summary>
    private const string SeedCap = "vllm:0.10.0=50";

    private static readonly string Calibration = Path.Combine(CliRun.RepositoryRoot, "examples", "validate", "calibration.csv");

    [Fact]
    public void Should_print_the_error_before_and_after_and_write_the_catalog_format_When_calibrating()
    {
        // Given the shared calibration file, When calibrated
        using var folder = new TempFolder();
        string constants = Path.Combine(folder.Path, "gpu-calibration.csv");
        CliResult r = CliRun.Run("calibrate", "--measurements", Calibration, "--out", constants, "--max-sequences", SeedCap);

        // Then the report and the constants are the reviewed ones, and the constants are those the catalog ships
        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Calibrate", "calibration", "txt", r.Output);
        string written = File.ReadAllText(constants);
        Golden.Verify("Calibrate", "gpu-calibration", "csv", written);
        Assert.Equal(File.ReadAllText(Path.Combine(CliRun.RepositoryRoot, "data", "gpu-calibration.csv")), written);

        // And the file loads back as a catalog folder
        CliResult catalog = CliRun.Run("catalog", "gpus", "--catalog", folder.Path);
        Assert.Equal(0, catalog.ExitCode);
    }

    [Fact]
    public void Should_report_each_held_out_gpu_When_cross_validating_by_gpu()
    {
        // Given the calibration file, When each GPU is held out in turn with --out naming a folder
        using var folder = new TempFolder();
        string dir = Path.Combine(folder.Path, "cv");
        CliResult r = CliRun.Run("calibrate", "--measurements", Calibration, "--cross-validate", "gpu", "--max-sequences", SeedCap, "--out", dir);

        // Then the table is the golden one, and the folder holds every held-out prediction as validate writes them,
        // summarised as the table's pooled row
        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Calibrate", "cross-validate-gpu", "txt", r.Output);
        string[] predictions = File.ReadAllLines(Path.Combine(dir, "predictions.csv"));
        Assert.Equal("id,metric,measured,predicted,ape", predictions[0]);
        Assert.Equal(457, predictions.Length);
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        JsonElement overall = summary.RootElement.GetProperty("overall");
        string pooled = r.Output.Split('\n').Single(l => l.StartsWith("│ overall ", StringComparison.Ordinal) && l.Contains("456", StringComparison.Ordinal));
        Assert.Contains((overall.GetProperty("median_ape").GetDouble() * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %", pooled, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "predicted-vs-measured.svg")));

        // And a file where the folder should be is refused
        string file = folder.Write("taken", "x");
        CliResult refused = CliRun.Run("calibrate", "--measurements", Calibration, "--cross-validate", "gpu", "--out", file);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"error: invalid input:\n  --out: '{file}' is a file; give a folder (it is created when missing).\n", refused.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Should_report_each_held_out_model_When_cross_validating_by_model()
    {
        CliResult r = CliRun.Run("calibrate", "--measurements", Calibration, "--cross-validate", "model", "--max-sequences", SeedCap);

        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Calibrate", "cross-validate-model", "txt", r.Output);
    }

    [Fact]
    public void Should_exit_1_listing_every_flag_problem_When_flags_are_wrong()
    {
        CliResult none = CliRun.Run("calibrate", "--measurements", Calibration);
        CliResult bad = CliRun.Run("calibrate", "--measurements", Calibration, "--out", "c.json", "--cross-validate", "tp");

        Assert.Equal(1, none.ExitCode);
        Assert.Equal("error: invalid input:\n  --out: is required: the file for the fitted constants, e.g. constants.csv (or give --cross-validate gpu|model).\n", none.Error);
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("error: 2 problems with the input:\n  --cross-validate: 'tp' is not gpu or model. Write --cross-validate gpu or --cross-validate model.\n  --out: 'c.json' must end in .csv.\n", bad.Error);
    }

    [Fact]
    public void Should_refuse_to_overwrite_the_measurements_When_out_names_them()
    {
        using var folder = new TempFolder();
        string input = folder.Write("m.csv", File.ReadAllText(Path.Combine(CliRun.RepositoryRoot, "examples", "validate", "sample.csv")));

        CliResult r = CliRun.Run("calibrate", "--measurements", input, "--out", input);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"error: invalid input:\n  --out: names the input file '{input}', which is never overwritten; write to another file.\n", r.Error);
    }
}
