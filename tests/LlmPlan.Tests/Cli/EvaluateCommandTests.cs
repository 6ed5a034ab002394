using System.Globalization;
using System.Text.Json;
using LlmPlan.Performance;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

public class EvaluateCommandTests
{
    private static readonly string[] Seventy =
        ["evaluate", "--model", "llama-3.1-70b", "--gpu", "H100-SXM-80GB", "--tp", "4", "--input-tokens", "2048", "--output-tokens", "512", "--concurrency", "max"];

    [Theory]
    [InlineData("en-US")]
    [InlineData("de-DE")]
    [InlineData("ru-RU")]
    public void Should_write_a_feasible_result_When_70b_runs_on_four_h100(string culture)
    {
        // Given the done command, under a dot- or comma-decimal culture,
        // When it runs, Then exit 0, the table and the JSON match their golden files byte for byte.
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
        try
        {
            using var temp = new TempFolder();
            string json = Path.Combine(temp.Path, "r.json");
            CliResult result = CliRun.Run([.. Seventy, "--out", json]);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(string.Empty, result.Error);
            Golden.Verify("Evaluate", "llama-70b-h100-tp4", "txt", result.Output);
            Golden.Verify("Evaluate", "llama-70b-h100-tp4", "json", File.ReadAllText(json));

            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            JsonElement root = doc.RootElement;
            Assert.True(root.GetProperty("feasible").GetBoolean());
            Assert.True(root.GetProperty("concurrency").GetInt32() > 100);
            Assert.True(root.GetProperty("output_tokens_per_s").GetDouble() > 0);
            Assert.True(root.GetProperty("ttft_ms").GetDouble() > 0);
            Assert.True(root.GetProperty("tpot_ms").GetDouble() > 0);
            Assert.True(root.GetProperty("stages")[0].GetProperty("memory_per_gpu").GetProperty("weights_gib").GetDouble() > 30);
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = previous;
        }
    }

    [Fact]
    public void Should_exit_2_with_the_memory_breakdown_When_70b_fp16_is_on_one_gpu()
    {
        // Given the same model in fp16 on one 80 GB GPU, When evaluated, Then infeasible (exit 2) with the breakdown.
        string[] args = [.. Seventy.Select(a => a == "4" ? "1" : a), "--precision", "fp16"];
        CliResult result = CliRun.Run(args);
        Assert.Equal(2, result.ExitCode);
        Golden.Verify("Evaluate", "llama-70b-h100-tp1-fp16", "txt", result.Output);
    }

    [Fact]
    public void Should_write_one_csv_row_When_the_output_is_csv()
    {
        using var temp = new TempFolder();
        string csv = Path.Combine(temp.Path, "r.csv");
        CliResult result = CliRun.Run("evaluate", "--model", "llama-3.1-70b", "--instance", "p5.48xlarge", "--tp", "4", "--pp", "2", "--input-tokens", "2048", "--output-tokens", "512", "--concurrency", "64", "--out", csv);
        Assert.Equal(0, result.ExitCode);
        Golden.Verify("Evaluate", "llama-70b-p5-tp4-pp2", "csv", File.ReadAllText(csv));
    }

    [Fact]
    public void Should_report_the_simulated_benchmark_When_closed_loop_is_asked()
    {
        // Given 64 closed-loop clients of llama-3.1-8b on one H100 (AIConfigurator measured a mean TTFT of 176.9 ms with
        // TensorRT-LLM, d1-0009 of the calibration file)
        using var temp = new TempFolder();
        string json = Path.Combine(temp.Path, "r.json");
        CliResult result = CliRun.Run("evaluate", "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB", "--input-tokens", "1024", "--output-tokens", "128", "--concurrency", "64", "--closed-loop", "--out", json);

        // Then the table and the JSON carry the simulated TTFT and TPOT beside the steady-state ones
        Assert.Equal(0, result.ExitCode);
        Golden.Verify("Evaluate", "llama-8b-h100-closed-loop", "txt", result.Output);
        Golden.Verify("Evaluate", "llama-8b-h100-closed-loop", "json", File.ReadAllText(json));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement loop = doc.RootElement.GetProperty("closed_loop");
        Assert.Equal(64, loop.GetProperty("clients").GetInt32());
        Assert.Equal((0, 640), (loop.GetProperty("warm_up_requests").GetInt32(), loop.GetProperty("measured_requests").GetInt32()));
        Assert.True(loop.GetProperty("ttft_ms").GetDouble() > 3 * doc.RootElement.GetProperty("ttft_ms").GetDouble());
    }

    [Fact]
    public void Should_simulate_the_requests_asked_When_warm_up_and_measured_counts_are_given()
    {
        // Given the same benchmark as vllm bench serve runs it: no warm-up, 200 prompts over 64 clients
        using var temp = new TempFolder();
        string json = Path.Combine(temp.Path, "r.json");
        CliResult result = CliRun.Run("evaluate", "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB", "--input-tokens", "1024", "--output-tokens", "128", "--concurrency", "64", "--closed-loop", "--warm-up-requests", "0", "--measured-requests", "200", "--out", json);

        // Then the JSON names the counts and carries the simulation of exactly those requests
        Assert.Equal(0, result.ExitCode);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement loop = doc.RootElement.GetProperty("closed_loop");
        Assert.Equal((0, 200), (loop.GetProperty("warm_up_requests").GetInt32(), loop.GetProperty("measured_requests").GetInt32()));
        Deployment deployment = TestHardware.Uniform("llama-3.1-8b", TestHardware.Catalog.FindGpu("H100-SXM-80GB")!, 1, 1);
        int cap = PerformanceModel.Evaluate(deployment, new Workload(1024, 128, 64)).MaxConcurrency;
        ClosedLoopResult expected = ClosedLoopSimulation.Run(deployment, 1024, 128, 64, cap, EngineSettings.Default, new ClosedLoopRequests(0, 200));
        Assert.Equal(Math.Round(expected.TimeToFirstToken.Milliseconds, 3), loop.GetProperty("ttft_ms").GetDouble());
        Assert.Equal(expected.Steps, loop.GetProperty("steps").GetInt64());
    }

    [Fact]
    public void Should_name_the_request_counts_problems_When_they_are_out_of_range_or_without_closed_loop()
    {
        CliResult alone = CliRun.Run("evaluate", "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB", "--input-tokens", "1024", "--output-tokens", "128", "--concurrency", "8", "--warm-up-requests", "0", "--measured-requests", "20");
        Assert.Equal(1, alone.ExitCode);
        Assert.Equal(
            """
            error: 2 problems with the input:
              --warm-up-requests: counts the requests of the simulated benchmark; add --closed-loop or drop the flag.
              --measured-requests: counts the requests of the simulated benchmark; add --closed-loop or drop the flag.

            """,
            alone.Error);

        CliResult wrong = CliRun.Run("evaluate", "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB", "--input-tokens", "1024", "--output-tokens", "128", "--concurrency", "8", "--closed-loop", "--warm-up-requests", "-1", "--measured-requests", "0");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Equal(
            """
            error: 2 problems with the input:
              --warm-up-requests: -1 is out of range; it must be at least 0.
              --measured-requests: 0 is out of range; it must be at least 1.

            """,
            wrong.Error);
    }

    [Fact]
    public void Should_name_what_the_simulation_needs_When_closed_loop_has_no_clients_or_several_stages()
    {
        CliResult result = CliRun.Run("evaluate", "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB", "--input-tokens", "1024", "--output-tokens", "128", "--pp", "2", "--closed-loop");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            """
            error: 2 problems with the input:
              --closed-loop: needs --concurrency N, the number of clients; 'max' names none.
              --closed-loop: simulates one pipeline stage; --pp is 2. Use --pp 1 or drop --closed-loop.

            """,
            result.Error);

        CliResult placed = CliRun.Run("evaluate", "--placement", Path.Combine(CliRun.RepositoryRoot, "examples", "evaluate", "llama-70b-mixed.yaml"), "--concurrency", "8", "--closed-loop");
        Assert.Equal(1, placed.ExitCode);
        Assert.Equal("error: invalid input:\n  --closed-loop: simulates one pipeline stage; the placement has 2. Drop --closed-loop.\n", placed.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Should_list_every_problem_When_several_flags_are_wrong()
    {
        CliResult result = CliRun.Run("evaluate", "--model", "llama-3.1-7b", "--gpu", "H100", "--tp", "0", "--input-tokens", "-3", "--precision", "fp9", "--concurrency", "x", "--out", "r.txt");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        Assert.Equal(
            """
            error: 8 problems with the input:
              --out: 'r.txt' must end in .json or .csv.
              --precision: 'fp9' is not a precision. Use one of: fp16, bf16, fp8, int8, int4, fp4.
              --input-tokens: -3 is out of range; it must be at least 1.
              --output-tokens: is required: the generated tokens per request, e.g. 512.
              --concurrency: 'x' is not a whole number. Write an integer such as 8.
              --model: unknown model 'llama-3.1-7b'. Did you mean llama-3.1-8b, llama-3.1-70b, llama-3.1-405b, llama-3.3-70b, llama-2-7b? 'llmplan catalog models' lists them; --catalog DIR adds your own.
              --gpu: unknown GPU 'H100'. Did you mean H100-SXM-80GB, H100-PCIe-80GB? 'llmplan catalog gpus' lists them; --catalog DIR adds your own.
              --tp: 0 is out of range; it must be at least 1.

            """,
            result.Error);
    }

    [Fact]
    public void Should_ask_for_one_kind_of_hardware_When_both_gpu_and_instance_are_given()
    {
        CliResult result = CliRun.Run("evaluate", "--model", "llama-3.1-8b", "--gpu", "L4", "--instance", "g6.xlarge", "--input-tokens", "10", "--output-tokens", "10");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: invalid input:\n  --gpu/--instance: give exactly one: --gpu G (bare GPUs, priced per GPU) or --instance I (whole instances).\n", result.Error);
    }

    [Fact]
    public void Should_explain_without_a_stack_trace_When_tp_exceeds_the_instance()
    {
        CliResult result = CliRun.Run("evaluate", "--model", "llama-3.1-8b", "--instance", "g6.xlarge", "--tp", "2", "--input-tokens", "10", "--output-tokens", "10");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("infeasible: TP 2 needs 2 GPUs in one instance but g6.xlarge has 1; a TP group cannot span instances.\n", result.Output);
    }

    [Fact]
    public void Should_refuse_to_overwrite_an_input_When_out_names_the_placement_or_a_pool_file()
    {
        // Given --out naming the placement file, or a file the --config-dir folder's reader reads, Then exit 1 and the
        // files stay; another file in that folder (an earlier sweep's output) may be written.
        using var folder = new TempFolder();
        string placement = Path.Combine(folder.Path, "p.json");
        File.Copy(Path.Combine(CliRun.RepositoryRoot, "examples", "evaluate", "seed-placement-p4d.json"), placement);
        byte[] before = File.ReadAllBytes(placement);
        CliResult r = CliRun.Run("evaluate", "--placement", placement, "--model", "llama-3.1-70b", "--out", placement);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"--out: names the input file '{placement}', which is never overwritten; write to another file.", r.Error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(placement));

        foreach (string name in new[] { "config.csv", "gpu_pool.csv" })
        {
            File.Copy(Path.Combine(CliRun.RepositoryRoot, "examples", "seed", "large", name), Path.Combine(folder.Path, name));
        }

        string pool = Path.Combine(folder.Path, "gpu_pool.csv");
        byte[] poolBefore = File.ReadAllBytes(pool);
        CliResult sweep = CliRun.Run("evaluate", "--sweep", "--config-dir", Path.GetDirectoryName(pool)!, "--input-tokens", "100", "--output-tokens", "10", "--out", pool);
        Assert.Equal(1, sweep.ExitCode);
        Assert.Contains($"--out: names the input file '{pool}', which is never overwritten; write to another file.", sweep.Error, StringComparison.Ordinal);
        Assert.Equal(poolBefore, File.ReadAllBytes(pool));

        string results = Path.Combine(folder.Path, "sweep.csv");
        CliResult again = CliRun.Run("evaluate", "--sweep", "--config-dir", folder.Path, "--input-tokens", "100", "--output-tokens", "10", "--model", "llama-3.1-8b", "--out", results);
        Assert.True(again.ExitCode is 0 or 2, again.Error);
        Assert.True(File.Exists(results));
    }

    [Fact]
    public void Should_give_identical_bytes_When_run_twice()
    {
        using var temp = new TempFolder();
        string a = Path.Combine(temp.Path, "a.json");
        string b = Path.Combine(temp.Path, "b.json");
        CliRun.Run([.. Seventy, "--out", a]);
        CliRun.Run([.. Seventy, "--out", b]);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }
}
