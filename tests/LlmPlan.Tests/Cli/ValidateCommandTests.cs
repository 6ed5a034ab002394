using System.Text.Json;
using System.Globalization;
using LlmPlan.Accuracy;
using LlmPlan.Performance;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

public class ValidateCommandTests
{
    private static readonly string Examples = Path.Combine(CliRun.RepositoryRoot, "examples", "validate");

    private const string Header = "id,source,engine,model,gpu,precision,tp,pp,replicas,input_tokens,output_tokens,concurrency,metric,value,note";

    [Fact]
    public void Should_write_predictions_summary_and_chart_When_the_calibration_file_is_validated()
    {
        // Given the shared calibration file, with the 50-prompt batches of the seed's vLLM 0.10.0 runs (docs/accuracy.md)
        using var folder = new TempFolder();
        string input = Path.Combine(Examples, "calibration.csv");
        string before = File.ReadAllText(input);

        // When validated
        CliResult r = CliRun.Run("validate", "--measurements", input, "--out", folder.Path, "--max-sequences", "vllm:0.10.0=50");

        // Then every row is predicted, the files match the reviewed ones, and the input is untouched
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Empty, r.Error);
        Golden.Verify("Validate", "calibration", "txt", r.Output);
        Golden.Verify("Validate", "calibration-predictions", "csv", File.ReadAllText(Path.Combine(folder.Path, "predictions.csv")));
        Golden.Verify("Validate", "calibration-summary", "json", File.ReadAllText(Path.Combine(folder.Path, "summary.json")));
        Golden.Verify("Validate", "predicted-vs-measured", "svg", File.ReadAllText(Path.Combine(folder.Path, "predicted-vs-measured.svg")));
        Assert.Equal(before, File.ReadAllText(input));
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "summary.json")));
        Assert.Equal(456, summary.RootElement.GetProperty("rows").GetInt32());
        Assert.Equal(456, summary.RootElement.GetProperty("predicted").GetInt32());
        Assert.Equal(6, summary.RootElement.GetProperty("by_metric").EnumerateObject().Count());
        Assert.Equal(457, File.ReadAllLines(Path.Combine(folder.Path, "predictions.csv")).Length);
    }

    [Fact]
    public void Should_give_identical_bytes_When_run_twice()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        string input = Path.Combine(Examples, "sample.csv");
        CliResult first = CliRun.Run("validate", "--measurements", input, "--out", a.Path);
        CliResult second = CliRun.Run("validate", "--measurements", input, "--out", b.Path);

        Assert.Equal(first.Output, second.Output);
        foreach (string file in new[] { "predictions.csv", "summary.json", "predicted-vs-measured.svg" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, file)), File.ReadAllBytes(Path.Combine(b.Path, file)));
        }
    }

    [Fact]
    public void Should_list_skipped_rows_with_their_reason_and_not_count_them_When_rows_cannot_be_predicted()
    {
        // Given a predictable row, a row on a GPU the catalog lacks, and a model too big for one GPU
        using var folder = new TempFolder();
        string input = folder.Write("m.csv", string.Join("\n",
            Header,
            "ok,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,1,tpot_ms,7,",
            "tpu,s,vllm,llama-3.1-8b,TPU-v5e,bf16,1,1,1,1024,128,8,tpot_ms,20,",
            "big,s,vllm,llama-3.1-70b,L4,bf16,1,1,1,1024,128,8,tpot_ms,20,"));

        CliResult r = CliRun.Run("validate", "--measurements", input, "--out", Path.Combine(folder.Path, "out"));

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("m.csv: 3 rows, 1 predicted, 2 skipped.\n", r.Output, StringComparison.Ordinal);
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Path, "out", "summary.json")));
        Assert.Equal(1, summary.RootElement.GetProperty("predicted").GetInt32());
        Assert.Equal(1, summary.RootElement.GetProperty("overall").GetProperty("n").GetInt32());
        JsonElement[] skipped = [.. summary.RootElement.GetProperty("skipped").EnumerateArray()];
        Assert.Equal(["tpu", "big"], skipped.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("GPU 'TPU-v5e' is not in the catalog (llmplan catalog gpus; add it with --catalog DIR).", skipped[0].GetProperty("reason").GetString());
        Assert.StartsWith("infeasible: stage 1 (layers 1-80 on L4 TP 1): weights (", skipped[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(folder.Path, "out", "predictions.csv")).Length);
    }

    [Fact]
    public void Should_exit_2_When_no_row_can_be_predicted()
    {
        using var folder = new TempFolder();
        string input = folder.Write("m.csv", Header + "\ntpu,s,vllm,llama-3.1-8b,TPU-v5e,bf16,1,1,1,1024,128,8,tpot_ms,20,\n");

        CliResult r = CliRun.Run("validate", "--measurements", input, "--out", Path.Combine(folder.Path, "out"));

        Assert.Equal(2, r.ExitCode);
    }

    [Fact]
    public void Should_exit_1_listing_every_problem_without_a_stack_trace_When_inputs_are_invalid()
    {
        using var folder = new TempFolder();
        string input = folder.Write("m.csv", Header + "\na,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf17,1,1,1,1024,128,8,tpot_ms,x,\n");

        CliResult r = CliRun.Run("validate", "--measurements", input, "--out", Path.Combine(folder.Path, "out"), "--max-sequences", "vllm", "--max-sequences", "sglang=0");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            "error: 4 problems with the input:\n"
            + "  --max-sequences: 'vllm' is not ENGINE=N with N a whole number of at least 1, e.g. vllm=1024.\n"
            + "  --max-sequences: 'sglang=0' is not ENGINE=N with N a whole number of at least 1, e.g. vllm=1024.\n"
            + "  m.csv line 2, column 'precision': 'bf17' is not a weight precision. Write one of fp16, bf16, fp8, int8, int4, fp4.\n"
            + "  m.csv line 2, column 'value': 'x' is not a number. Write a finite number with '.' as the decimal separator.\n",
            r.Error);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "out")));
    }

    [Fact]
    public void Should_exit_1_When_the_measurement_file_is_missing_or_out_is_a_file()
    {
        using var folder = new TempFolder();
        string file = folder.Write("x.txt", "not a folder");
        string missing = Path.Combine(folder.Path, "none.csv");

        CliResult r = CliRun.Run("validate", "--measurements", missing, "--out", file);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"error: 2 problems with the input:\n  --out: '{file}' is a file; give a folder (it is created when missing).\n  {missing}: the file does not exist. Check the path.\n", r.Error);
    }

    [Fact]
    public void Should_apply_the_cap_of_the_exact_engine_before_its_family_When_max_sequences_are_given()
    {
        // Given a max row of the seed's vLLM 0.10.0 and caps for vllm and for vllm:0.10.0
        using var folder = new TempFolder();
        string input = Path.Combine(Examples, "sample.csv");
        CliResult family = CliRun.Run("validate", "--measurements", input, "--out", Path.Combine(folder.Path, "a"), "--max-sequences", "vllm=30");
        CliResult exact = CliRun.Run("validate", "--measurements", input, "--out", Path.Combine(folder.Path, "b"), "--max-sequences", "vllm=30", "--max-sequences", "vllm:0.10.0=20");

        // Then the exact engine's cap wins for its row
        string Seed(string dir) => File.ReadAllLines(Path.Combine(folder.Path, dir, "predictions.csv")).Single(l => l.StartsWith("seed-0001,", StringComparison.Ordinal));
        Assert.Equal(0, family.ExitCode);
        Assert.Equal(0, exact.ExitCode);
        Assert.NotEqual(Seed("a"), Seed("b"));
    }

    [Fact]
    public void Should_simulate_the_harness_asked_When_closed_loop_requests_are_given()
    {
        // Given the sample's closed-loop TTFT row (8 clients) validated with the default harness and with 2 warm-up
        // requests in the stream and 3 measured requests per client
        using var folder = new TempFolder();
        string input = Path.Combine(Examples, "sample.csv");
        CliResult defaults = CliRun.Run("validate", "--measurements", input, "--out", Path.Combine(folder.Path, "a"));
        CliResult warmUp = CliRun.Run("validate", "--measurements", input, "--out", Path.Combine(folder.Path, "b"), "--closed-loop-requests", "2:3");

        // Then the TTFT row is the simulation of 16 warm-up and 24 measured requests, the TPOT row is unchanged, and the
        // default is 0:10
        Assert.Equal((0, 0), (defaults.ExitCode, warmUp.ExitCode));
        string[] Row(string dir, string id) => File.ReadAllLines(Path.Combine(folder.Path, dir, "predictions.csv")).Single(l => l.StartsWith(id + ",", StringComparison.Ordinal)).Split(',');
        Deployment deployment = TestHardware.Uniform("llama-3.1-8b", TestHardware.Catalog.FindGpu("H100-SXM-80GB")!, 1, 1);
        EngineSettings trtllm = EngineProfile.For("trtllm:1.0.0rc3").Settings;
        int cap = PerformanceModel.Evaluate(deployment, new Workload(1024, 128, 8), trtllm).MaxConcurrency;
        double Simulated(ClosedLoopRequests requests) => ClosedLoopSimulation.Run(deployment, 1024, 128, 8, cap, trtllm, requests).TimeToFirstToken.Milliseconds;
        Assert.Equal(Math.Round(Simulated(new ClosedLoopRequests(16, 24)), 6), double.Parse(Row("b", "d1-0001")[3], CultureInfo.InvariantCulture));
        Assert.Equal(Math.Round(Simulated(new ClosedLoopRequests(0, 80)), 6), double.Parse(Row("a", "d1-0001")[3], CultureInfo.InvariantCulture));
        Assert.Equal(Row("a", "d1-0002"), Row("b", "d1-0002"));
    }

    [Fact]
    public void Should_name_the_form_When_closed_loop_requests_are_malformed()
    {
        CliResult result = CliRun.Run("validate", "--measurements", Path.Combine(Examples, "sample.csv"), "--out", "x", "--closed-loop-requests", "2:0");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            """
            error: invalid input:
              --closed-loop-requests: '2:0' is not WARM:MEASURED with whole numbers of requests per client, WARM at least 0 and MEASURED at least 1, e.g. 0:10 (the default) or 2:10 (2 warm-up requests per client in the stream).

            """,
            result.Error);
    }

    [Fact]
    public void Should_predict_every_file_as_one_When_several_measurement_files_are_given()
    {
        // Given the sample file and one more row in a second file
        using var folder = new TempFolder();
        string mine = folder.Write("mine.csv", string.Join("\n", Header, "mine-1,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,1,tpot_ms,7,"));
        string sample = Path.Combine(Examples, "sample.csv");

        // When validated together, and with one file given twice
        CliResult r = CliRun.Run("validate", "--measurements", sample, mine, "--out", Path.Combine(folder.Path, "out"));
        CliResult twice = CliRun.Run("validate", "--measurements", mine, mine, "--out", Path.Combine(folder.Path, "out2"));

        // Then the rows of both are predicted, the title names both, and a file given twice is refused
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("sample.csv + mine.csv: 9 rows, 9 predicted, 0 skipped.\n", r.Output, StringComparison.Ordinal);
        Assert.StartsWith("mine-1,tpot_ms,7,", File.ReadAllLines(Path.Combine(folder.Path, "out", "predictions.csv"))[^1], StringComparison.Ordinal);
        Assert.Equal(1, twice.ExitCode);
        Assert.Equal($"error: invalid input:\n  --measurements: '{mine}' is given 2 times. Give each file once.\n", twice.Error);
    }
}
