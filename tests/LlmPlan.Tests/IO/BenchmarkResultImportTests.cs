using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.IO;
using LlmPlan.Performance;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO;

public class BenchmarkResultImportTests
{
    private static readonly BenchmarkSetup Setup = new("vllm:0.12.0", "llama-3.1-8b", "H100-SXM-80GB", Precision.Bf16, 2, 1, 1, null, null);

    private static (IReadOnlyList<Measurement> Rows, IReadOnlyList<string> Errors) Parse(string json, BenchmarkSetup? setup = null, string name = "r.json")
    {
        var errors = new InputErrors();
        IReadOnlyList<Measurement> rows = BenchmarkResultImport.Parse(name, json, setup ?? Setup, errors);
        return (rows, errors.All.Select(e => e.ToString()).ToList());
    }

    private static string Serve(string traffic, string totals = "\"total_input_tokens\": 20480, \"total_output_tokens\": 2560", string tpot = "17.9") => $$"""
        {"date": "20261202-100000", "backend": "vllm", "model_id": "meta-llama/Llama-3.1-8B-Instruct", "num_prompts": 20,
         {{traffic}}, "completed": 20, {{totals}},
         "request_throughput": 2.5, "output_throughput": 320.5, "total_token_throughput": 2880.5,
         "mean_ttft_ms": 409.7, "median_ttft_ms": 400.0, "mean_tpot_ms": {{tpot}}}
        """;

    [Fact]
    public void Should_give_ttft_tpot_and_output_rows_of_a_closed_loop_When_a_serving_result_has_a_concurrency_limit()
    {
        // Given a vllm bench serve result of 20 prompts over 8 clients at an infinite rate
        var (rows, errors) = Parse(Serve("\"request_rate\": \"inf\", \"burstiness\": 1.0, \"max_concurrency\": 8"));

        // Then three rows of the closed loop, with the lengths per request, the setup, and the 20 requests all measured
        Assert.Empty(errors);
        Assert.Equal(["r-ttft_ms", "r-tpot_ms", "r-output_tokens_per_s"], rows.Select(r => r.Id));
        Assert.Equal([409.7, 17.9, 320.5], rows.Select(r => r.Value));
        Assert.All(rows, r =>
        {
            Assert.Equal(MeasuredLoad.Closed(8), r.Load);
            Assert.Equal((1024, 128), (r.InputTokens!.Value, r.OutputTokens!.Value));
            Assert.Equal(("vllm bench serve", "vllm:0.12.0", "llama-3.1-8b", "H100-SXM-80GB", Precision.Bf16, 2, 1, 1), (r.Source, r.Engine, r.Model, r.Gpu, r.Precision, r.TensorParallel, r.PipelineParallel, r.Replicas));
            Assert.Equal(new ClosedLoopRequests(0, 20), r.Requests);
            Assert.Equal("file=r.json; num_prompts=20; completed=20; request_rate=inf; max_concurrency=8; burstiness=1.0; backend=vllm; model_id=meta-llama/Llama-3.1-8B-Instruct; date=20261202-100000; warm_up_requests=0; measured_requests=20", r.Note);
        });
    }

    [Theory]
    [InlineData("\"request_rate\": 2.5, \"burstiness\": 1.0, \"max_concurrency\": null", "qps:2.5")]
    [InlineData("\"request_rate\": \"inf\", \"burstiness\": 1.0, \"max_concurrency\": null", "qps:inf")]
    [InlineData("\"request_rate\": \"inf\"", "qps:inf")]
    public void Should_give_an_open_loop_without_requests_When_a_serving_result_has_no_concurrency_limit(string traffic, string load)
    {
        var (rows, errors) = Parse(Serve(traffic));

        Assert.Empty(errors);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(load, r.Load.ToString()));
        Assert.All(rows, r => Assert.Null(r.Requests));
        Assert.DoesNotContain("measured_requests", rows[0].Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_round_the_lengths_and_say_so_When_the_requests_had_different_lengths()
    {
        // Given 20 requests of 1023.7 prompt and 127.25 output tokens on average
        var (rows, errors) = Parse(Serve("\"max_concurrency\": 8", "\"total_input_tokens\": 20474, \"total_output_tokens\": 2545"));

        Assert.Empty(errors);
        Assert.Equal((1024, 127), (rows[0].InputTokens!.Value, rows[0].OutputTokens!.Value));
        Assert.Contains("; mean input 1023.7 tokens taken as 1024; mean output 127.25 tokens taken as 127;", rows[0].Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_leave_out_tpot_When_every_request_generated_one_token()
    {
        var (rows, errors) = Parse(Serve("\"max_concurrency\": 8", "\"total_input_tokens\": 20480, \"total_output_tokens\": 20", "0.0"));

        Assert.Empty(errors);
        Assert.Equal(["r-ttft_ms", "r-output_tokens_per_s"], rows.Select(r => r.Id));
    }

    [Fact]
    public void Should_give_requests_per_second_at_max_When_a_throughput_result_and_its_lengths_are_given()
    {
        // Given a vllm bench throughput result of 1000 requests of 1024 + 128 tokens
        const string Json = """{"elapsed_time": 34.1758, "num_requests": 1000, "total_num_tokens": 1152000, "requests_per_second": 29.2605, "tokens_per_second": 33708.096}""";
        var (rows, errors) = Parse(Json, Setup with { InputTokens = 1024, OutputTokens = 128 }, "t.json");

        // Then one row of requests/s at the offline maximum
        Assert.Empty(errors);
        Measurement row = Assert.Single(rows);
        Assert.Equal(("t-requests_per_s", "vllm bench throughput", MeasuredMetric.RequestsPerSecond, 29.2605, 1024, 128), (row.Id, row.Source, row.Metric, row.Value, row.InputTokens!.Value, row.OutputTokens!.Value));
        Assert.Equal(MeasuredLoad.Max, row.Load);
        Assert.Null(row.Requests);
        Assert.Equal("file=t.json; num_requests=1000; input and output tokens per request given: 1024 and 128", row.Note);
    }

    [Fact]
    public void Should_ask_for_the_lengths_When_a_throughput_result_comes_without_them_or_with_others()
    {
        const string Json = """{"elapsed_time": 34.1758, "num_requests": 1000, "total_num_tokens": 1152000, "requests_per_second": 29.2605, "tokens_per_second": 33708.096}""";
        var (_, missing) = Parse(Json);
        var (rows, wrong) = Parse(Json, Setup with { InputTokens = 1000, OutputTokens = 128 });

        Assert.Equal(["r.json line 1: is a vllm bench throughput result, which records only the sum of the prompt and output tokens. Give the lengths you ran with --input-tokens and --output-tokens (vllm bench throughput --input-len and --output-len)."], missing);
        Assert.Empty(rows);
        Assert.Equal(["r.json line 1, field 'total_num_tokens': 1152000 tokens over 1000 requests is 1152 per request, but --input-tokens 1000 and --output-tokens 128 add up to 1128. Give the lengths the run used."], wrong);
    }

    [Fact]
    public void Should_report_every_problem_at_once_When_a_serving_result_is_incomplete_or_mixes_the_loads()
    {
        // Given a result without its output throughput, a negative TTFT, a rate and a concurrency limit together, and
        // lengths given for a serving run that had others
        const string Json = """
            {"num_prompts": 20, "request_rate": 4.0, "max_concurrency": 8, "completed": 20,
             "total_input_tokens": 20480, "total_output_tokens": 2560, "mean_ttft_ms": -1, "mean_tpot_ms": 17.9}
            """;
        var (rows, errors) = Parse(Json);
        var (_, lengths) = Parse(Serve("\"max_concurrency\": 8"), Setup with { InputTokens = 1000 });

        Assert.Empty(rows);
        Assert.Equal(
            [
                "r.json line 2, field 'mean_ttft_ms': -1 is out of range; it must be greater than 0.",
                "r.json line 1: has no 'output_throughput'. Pass the whole file the benchmark wrote.",
                "r.json line 1, field 'max_concurrency': the run offered 4 requests/s and also capped the requests in flight at 8: neither a closed loop nor an open loop, which is all a measurement row describes. Rerun with --max-concurrency alone (a closed loop) or --request-rate alone (an open loop).",
            ],
            errors);
        Assert.Equal(["r.json line 2, field 'total_input_tokens': the run's requests had 1024 prompt and 128 output tokens on average, not the 1000 and (any) given with --input-tokens and --output-tokens, which are for vllm bench throughput results. Leave them out, or convert this file separately."], lengths);
    }

    [Fact]
    public void Should_say_what_is_expected_When_the_file_is_not_a_benchmark_result()
    {
        var (_, other) = Parse("""{"ttft": 3}""");
        var (_, list) = Parse("[1, 2]");
        var (_, broken) = Parse("{\"mean_ttft_ms\": ");

        Assert.Equal(["r.json line 1: is neither a serving result (it has no 'mean_ttft_ms') nor a vllm bench throughput result (no 'requests_per_second'). Pass the file written by vllm bench serve --save-result, vllm bench throughput --output-json or sglang.bench_serving --output-file."], other);
        Assert.Equal(["r.json line 1: must be the JSON object vllm bench serve --save-result, vllm bench throughput --output-json or sglang.bench_serving --output-file writes."], list);
        Assert.StartsWith("r.json line 2, column 1: not valid YAML/JSON: ", Assert.Single(broken), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_two_files_of_one_name_and_a_missing_file_When_several_are_read()
    {
        using var folder = new LlmPlan.Tests.Infrastructure.TempFolder();
        string a = folder.Write("a/r.json", Serve("\"max_concurrency\": 8"));
        string b = folder.Write("b/r.json", Serve("\"max_concurrency\": 16"));
        string missing = Path.Combine(folder.Path, "none.json");
        var errors = new InputErrors();

        IReadOnlyList<Measurement> rows = BenchmarkResultImport.Read([a, b, missing], Setup, errors);

        Assert.Empty(rows);
        Assert.Equal(
            [
                $"{b}: has the same name as {a}, and the rows' ids come from the file name (r-…). Rename one of them.",
                $"{missing}: the file does not exist. Check the path.",
            ],
            errors.All.Select(e => e.ToString()));
    }

    private static string SglangRun(int clients, int completed) => $$"""
        {"backend": "sglang", "dataset_name": "random", "request_rate": Infinity, "max_concurrency": {{clients}}, "duration": 11.0, "completed": {{completed}}, "total_input_tokens": {{completed * 2048}}, "total_output_tokens": {{completed * 256}}, "total_output_tokens_retokenized": {{completed * 256}}, "request_throughput": 3.6, "output_throughput": 925.4, "mean_ttft_ms": 177.9, "mean_tpot_ms": 7.98}
        """;

    [Fact]
    public void Should_give_each_line_its_rows_When_an_sglang_result_file_holds_several_runs()
    {
        // Given sglang.bench_serving's appended results: two runs with a blank line between them, an infinite rate written
        // as Python's Infinity, and no num_prompts
        var (rows, errors) = Parse(SglangRun(8, 40) + "\n\n" + SglangRun(64, 320) + "\n", name: "s.jsonl");

        // Then each run gives its rows, ids and notes carry the line, and a closed loop measured what it completed
        Assert.Empty(errors);
        Assert.Equal(["s-1-ttft_ms", "s-1-tpot_ms", "s-1-output_tokens_per_s", "s-3-ttft_ms", "s-3-tpot_ms", "s-3-output_tokens_per_s"], rows.Select(r => r.Id));
        Assert.All(rows, r => Assert.Equal("sglang bench_serving", r.Source));
        Assert.Equal([MeasuredLoad.Closed(8), MeasuredLoad.Closed(64)], [rows[0].Load, rows[3].Load]);
        Assert.Equal([new ClosedLoopRequests(0, 40), new ClosedLoopRequests(0, 320)], [rows[0].Requests!, rows[3].Requests!]);
        Assert.Equal("file=s.jsonl; line=3; completed=320; request_rate=inf; max_concurrency=64; burstiness=1.0; backend=sglang; dataset_name=random; warm_up_requests=0; measured_requests=320", rows[3].Note);
    }

    [Fact]
    public void Should_name_the_line_When_a_run_of_an_sglang_file_is_wrong_or_the_file_holds_none()
    {
        var (rows, errors) = Parse(SglangRun(8, 40) + "\n" + SglangRun(8, 40).Replace("\"mean_ttft_ms\": 177.9", "\"mean_ttft_ms\": null", StringComparison.Ordinal) + "\n{\"x\": ", name: "s.jsonl");
        var (_, empty) = Parse("\n\n", name: "s.jsonl");

        Assert.Empty(rows);
        Assert.Equal(2, errors.Count);
        Assert.Equal("s.jsonl line 2, field 'mean_ttft_ms': 'null' is not a number. Write a finite number with '.' as the decimal separator.", errors[0]);
        Assert.StartsWith("s.jsonl line 4, column 1: not valid YAML/JSON: ", errors[1], StringComparison.Ordinal);
        Assert.Equal(["s.jsonl: has no result line. Pass the file sglang.bench_serving --output-file wrote."], empty);
    }
}
