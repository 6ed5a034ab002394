using System.Globalization;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

public class MeasurementsCommandTests
{
    private static readonly string Examples = Path.Combine(CliRun.RepositoryRoot, "examples", "validate", "vllm");

    private static string[] Args(params string[] more) =>
    [
        "measurements", "from-vllm", Path.Combine(Examples, "serve-llama-3.1-8b-h100-c64.json"), Path.Combine(Examples, "throughput-llama-3.1-8b-h100.json"),
        "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB", "--engine", "vllm:0.12.0", "--input-tokens", "1024", "--output-tokens", "128", .. more,
    ];

    [Fact]
    public void Should_write_the_reviewed_measurement_file_When_the_example_results_are_converted()
    {
        // Given the example serve and throughput results
        using var folder = new TempFolder();
        string csv = Path.Combine(folder.Path, "mine.csv");
        string before = File.ReadAllText(Path.Combine(Examples, "serve-llama-3.1-8b-h100-c64.json"));

        // When converted to a file, and to standard output
        CliResult written = CliRun.Run(Args("--out", csv));
        CliResult printed = CliRun.Run(Args());

        // Then the file and the summary are the reviewed ones, standard output holds the same CSV, the input is untouched
        Assert.Equal(0, written.ExitCode);
        Assert.Equal(string.Empty, written.Error);
        Golden.Verify("Measurements", "from-vllm", "csv", File.ReadAllText(csv));
        Golden.Verify("Measurements", "from-vllm", "txt", written.Output.Replace(csv, "mine.csv", StringComparison.Ordinal));
        Assert.Equal(0, printed.ExitCode);
        Assert.Equal(File.ReadAllText(csv), printed.Output);
        Assert.Equal(before, File.ReadAllText(Path.Combine(Examples, "serve-llama-3.1-8b-h100-c64.json")));
    }

    [Fact]
    public void Should_simulate_the_benchmark_the_result_ran_When_validate_reads_the_converted_file()
    {
        // Given the converted example, whose serving numbers are LlmPlan's own simulation of 200 prompts over 64 clients
        // without warm-up (examples/validate/vllm/README.md)
        using var folder = new TempFolder();
        string csv = Path.Combine(folder.Path, "mine.csv");
        Assert.Equal(0, CliRun.Run(Args("--out", csv)).ExitCode);

        // When validated with the default harness (0:10 per client), which the row's own request counts replace
        CliResult r = CliRun.Run("validate", "--measurements", csv, "--out", Path.Combine(folder.Path, "out"));

        // Then the TTFT row is the simulation of those 200 requests: predicted as measured, to its 0.1 ms
        Assert.Equal(0, r.ExitCode);
        string ttft = File.ReadAllLines(Path.Combine(folder.Path, "out", "predictions.csv")).Single(l => l.StartsWith("serve-llama-3.1-8b-h100-c64-ttft_ms,", StringComparison.Ordinal));
        double predicted = double.Parse(ttft.Split(',')[3], CultureInfo.InvariantCulture);
        Assert.Equal(409.7, predicted, 0.05);
    }

    [Fact]
    public void Should_exit_1_with_every_problem_When_the_flags_are_wrong()
    {
        CliResult r = CliRun.Run("measurements", "from-vllm", Path.Combine(Examples, "serve-llama-3.1-8b-h100-c64.json"), "--model", "llama-9b", "--gpu", "H100-SXM-80GB", "--precision", "bf17", "--tp", "0");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(string.Empty, r.Output);
        Assert.StartsWith("error: 3 problems with the input:\n  --model: unknown model 'llama-9b'", r.Error, StringComparison.Ordinal);
        Assert.Contains("\n  --precision: 'bf17' is not a precision. Use one of: fp16, bf16, fp8, int8, int4, fp4.\n", r.Error, StringComparison.Ordinal);
        Assert.EndsWith("\n  --tp: 0 is out of range; it must be at least 1.\n", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_to_write_over_a_result_When_the_output_names_one()
    {
        using var folder = new TempFolder();
        string result = folder.Write("r.json", File.ReadAllText(Path.Combine(Examples, "serve-llama-3.1-8b-h100-c64.json")));
        string before = File.ReadAllText(result);

        CliResult r = CliRun.Run("measurements", "from-vllm", result, "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB", "--out", result);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"error: invalid input:\n  --out: names the input file '{result}', which is never overwritten; write to another file.\n", r.Error);
        Assert.Equal(before, File.ReadAllText(result));
    }

    [Fact]
    public void Should_simulate_each_runs_benchmark_When_an_sglang_result_file_is_converted_and_validated()
    {
        // Given the SGLang example: two runs, 40 requests over 8 clients and 320 over 64, whose numbers are LlmPlan's own
        // simulation (examples/validate/sglang/README.md)
        using var folder = new TempFolder();
        string csv = Path.Combine(folder.Path, "sglang.csv");
        string input = Path.Combine(CliRun.RepositoryRoot, "examples", "validate", "sglang", "bench-serving-llama-3.1-8b-h100.jsonl");
        CliResult converted = CliRun.Run("measurements", "from-sglang", input, "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB", "--engine", "sglang:0.5.6", "--out", csv);

        // When validated
        CliResult r = CliRun.Run("validate", "--measurements", csv, "--out", Path.Combine(folder.Path, "out"));

        // Then both TTFT rows are predicted as written, each from its own run's requests
        Assert.Equal(0, converted.ExitCode);
        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Measurements", "from-sglang", "csv", File.ReadAllText(csv));
        var ttft = File.ReadAllLines(Path.Combine(folder.Path, "out", "predictions.csv")).Where(l => l.Contains(",ttft_ms,", StringComparison.Ordinal))
            .Select(l => l.Split(',')).Select(c => (Measured: double.Parse(c[2], CultureInfo.InvariantCulture), Predicted: double.Parse(c[3], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(2, ttft.Count);
        Assert.All(ttft, t => Assert.Equal(t.Measured, t.Predicted, 0.001));
    }
}
