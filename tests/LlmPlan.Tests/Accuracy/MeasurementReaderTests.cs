using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.IO;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Validation;

namespace LlmPlan.Tests.Accuracy;

public class MeasurementReaderTests
{
    private const string Header = "id,source,engine,model,gpu,precision,tp,pp,replicas,input_tokens,output_tokens,concurrency,metric,value,note";

    private static (IReadOnlyList<Measurement> Rows, IReadOnlyList<string> Errors) Parse(params string[] lines)
    {
        var errors = new InputErrors();
        var rows = MeasurementReader.Parse("m.csv", string.Join("\n", lines), errors);
        return (rows, errors.All.Select(e => e.ToString()).ToList());
    }

    [Fact]
    public void Should_read_every_load_kind_and_metric_When_the_rows_are_valid()
    {
        // Given rows with a closed loop, max, qps:R, qps:inf and the layer forms with empty lengths
        var (rows, errors) = Parse(
            Header,
            "a,s,vllm:0.10.0,llama-3.1-8b,H100-SXM-80GB,bf16,2,1,3,1024,128,8,tpot_ms,12.5,",
            "b,s,trtllm,llama-3.1-8b,H100-SXM-80GB,fp8,1,2,1,128,128,max,output_tokens_per_s,1000,\"a, quoted note\"",
            "c,s,vllm,llama-3.1-8b,H100-SXM-80GB,int4,1,1,1,1024,128,qps:2.5,requests_per_s,2.4,",
            "d,s,vllm,llama-3.1-8b,H100-SXM-80GB,fp4,1,1,1,1024,128,qps:inf,total_tokens_per_s,9000,",
            "e,s,vllm,llama-2-70b,T4,fp16,1,1,1,,,16,layer_decode_ms,7.8,",
            "f,s,vllm,llama-2-70b,T4,fp16,1,1,1,250,0,1,layer_prefill_ms,18,");

        // Then every row is read as written
        Assert.Empty(errors);
        Assert.Equal(["a", "b", "c", "d", "e", "f"], rows.Select(r => r.Id));
        Assert.Equal(MeasuredLoad.Closed(8), rows[0].Load);
        Assert.Equal((2, 1, 3, 1024, 128), (rows[0].TensorParallel, rows[0].PipelineParallel, rows[0].Replicas, rows[0].InputTokens!.Value, rows[0].OutputTokens!.Value));
        Assert.Equal(MeasuredMetric.TimePerOutputToken, rows[0].Metric);
        Assert.Equal(12.5, rows[0].Value);
        Assert.Equal(LoadKind.Max, rows[1].Load.Kind);
        Assert.Equal(Precision.Fp8, rows[1].Precision);
        Assert.Equal("a, quoted note", rows[1].Note);
        Assert.Equal(2.5, rows[2].Load.OfferedRate!.Value.Value);
        Assert.Equal("qps:2.5", rows[2].Load.ToString());
        Assert.Equal(LoadKind.OpenLoop, rows[3].Load.Kind);
        Assert.Null(rows[3].Load.OfferedRate);
        Assert.Equal("qps:inf", rows[3].Load.ToString());
        Assert.Null(rows[4].InputTokens);
        Assert.Null(rows[4].OutputTokens);
        Assert.Equal(0, rows[5].OutputTokens);
        Assert.Equal(7, rows[5].Line);
    }

    [Fact]
    public void Should_report_every_problem_with_its_line_and_column_When_rows_are_invalid()
    {
        // Given rows with one or more problems each
        var (rows, errors) = Parse(
            Header,
            "a,s,vllm,llama-3.1-8b,H100,BF16,0,1,1,1024,128,8,tpot_ms,12,",
            "a,s,vllm,llama-3.1-8b,H100,bf16,1,x,1,1024,128,eight,tpot,0,",
            "c,,vllm,llama-3.1-8b,H100,bf16,1,1,1,,128,qps:0,ttft_ms,-1,",
            "d,s,vllm,llama-3.1-8b,H100,bf16,1,1,1,100,,max,layer_decode_ms,1,",
            "e,s,vllm,llama-3.1-8b,H100,bf16,1,1,1,100,0,qps:x,output_tokens_per_s,1,",
            "f,s,vllm,llama-3.1-8b,H100,bf16,1,1,1,100,10,8,tpot_ms",
            "g,s,,,H100,bf16,1,1,1,100,10,,tpot_ms,5,");

        // Then no row is returned and every problem is listed, in file order, each with the fix
        Assert.Empty(rows);
        Assert.Equal(
        [
            "m.csv line 2, column 'precision': 'BF16' is not a weight precision. Write one of fp16, bf16, fp8, int8, int4, fp4.",
            "m.csv line 2, column 'tp': 0 is out of range; it must be at least 1.",
            "m.csv line 3, column 'id': 'a' is used twice (first on line 2). Give each row its own id.",
            "m.csv line 3, column 'pp': 'x' is not a whole number. Write an integer such as 8.",
            "m.csv line 3, column 'metric': 'tpot' is not a metric. Write output_tokens_per_s (generated tokens/s) or total_tokens_per_s (prompt + generated tokens/s) or ttft_ms (mean time to first token) or tpot_ms (mean time per output token) or requests_per_s (completed requests/s) or layer_decode_ms (one layer, one decode step) or layer_prefill_ms (one layer, one prompt).",
            "m.csv line 3, column 'concurrency': 'eight' is not a load. Write a whole number of sequences in flight (e.g. 8), max (offline maximum throughput), qps:R (R requests/s offered, e.g. qps:2.5) or qps:inf (all at once).",
            "m.csv line 3, column 'value': 0 is out of range; it must be greater than 0.",
            "m.csv line 4, column 'source': the value is empty. Fill it in.",
            "m.csv line 4, column 'input_tokens': the value is empty. Write a whole number.",
            "m.csv line 4, column 'concurrency': 'qps:0' has no valid rate after 'qps:'; the rate must be a number above 0 or inf. Write a whole number of sequences in flight (e.g. 8), max (offline maximum throughput), qps:R (R requests/s offered, e.g. qps:2.5) or qps:inf (all at once).",
            "m.csv line 4, column 'value': -1 is out of range; it must be greater than 0.",
            "m.csv line 5, column 'concurrency': 'max' does not go with layer_decode_ms: a layer time needs the batch as a whole number (sequences decoded together, or prompts prefilled together).",
            "m.csv line 6, column 'output_tokens': 0 is out of range; it must be at least 1.",
            "m.csv line 6, column 'concurrency': 'qps:x' has no valid rate after 'qps:'; the rate must be a number above 0 or inf. Write a whole number of sequences in flight (e.g. 8), max (offline maximum throughput), qps:R (R requests/s offered, e.g. qps:2.5) or qps:inf (all at once).",
            "m.csv line 7: has 13 cells but the header has 15. Quote cells that hold commas, and give every column (leave optional ones empty).",
            "m.csv line 8, column 'engine': the value is empty. Fill it in.",
            "m.csv line 8, column 'model': the value is empty. Fill it in.",
            "m.csv line 8, column 'concurrency': the value is empty. Write a whole number of sequences in flight (e.g. 8), max (offline maximum throughput), qps:R (R requests/s offered, e.g. qps:2.5) or qps:inf (all at once).",
        ],
        errors);
    }

    [Fact]
    public void Should_name_each_missing_and_unknown_column_When_the_header_is_not_the_schema()
    {
        var (_, errors) = Parse("id,source,engine,model,gpu,precision,tp,pp,replicas,input_tokens,output_tokens,concurrency,metric,val,note", "a,s,vllm,m,g,bf16,1,1,1,1,1,1,tpot_ms,1,");

        Assert.Equal(
        [
            $"m.csv header: column 'value' is missing. The header must be exactly: {Header}.",
            $"m.csv header: column 'val' is not part of the schema. The header must be exactly: {Header}.",
        ],
        errors);
    }

    [Fact]
    public void Should_name_the_misplaced_column_When_the_header_has_the_columns_in_another_order()
    {
        var (_, errors) = Parse("source,id,engine,model,gpu,precision,tp,pp,replicas,input_tokens,output_tokens,concurrency,metric,value,note");

        Assert.Equal([$"m.csv header: has 'source' as column 1 where 'id' belongs. The header must be exactly: {Header}."], errors);
    }

    [Fact]
    public void Should_read_all_456_rows_When_the_shared_calibration_file_is_read()
    {
        var errors = new InputErrors();
        var rows = MeasurementReader.Read(Path.Combine(CliRun.RepositoryRoot, "examples", "validate", "calibration.csv"), errors);

        Assert.Empty(errors.All);
        Assert.Equal(456, rows.Count);
        Assert.Equal(274, rows.Count(r => r.Load.Kind == LoadKind.Max));
        Assert.Equal(36, rows.Count(r => r.Metric == MeasuredMetric.LayerDecode && r.InputTokens is null));
    }

    [Fact]
    public void Should_read_the_requests_of_a_closed_loop_When_the_note_gives_them()
    {
        // Given closed-loop rows whose notes give the requests their benchmark sent, among other note items
        var (rows, errors) = Parse(
            Header,
            "a,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,64,ttft_ms,400,file=r.json; warm_up_requests=128; measured_requests=640",
            "b,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,64,ttft_ms,400, measured_requests = 200 ",
            "c,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,64,ttft_ms,400,aic_id=x; includes queueing");

        // Then the counts are read (the warm-up 0 when only the measured ones are given), and a row without them has none
        Assert.Empty(errors);
        Assert.Equal(new LlmPlan.Performance.ClosedLoopRequests(128, 640), rows[0].Requests);
        Assert.Equal(new LlmPlan.Performance.ClosedLoopRequests(0, 200), rows[1].Requests);
        Assert.Null(rows[2].Requests);
    }

    [Fact]
    public void Should_report_each_malformed_request_count_When_the_note_items_are_wrong()
    {
        // Given a count that is not a whole number, a measured count of 0, a repeated item, a warm-up alone and counts
        // on a row that is not a closed loop
        var (rows, errors) = Parse(
            Header,
            "a,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,64,ttft_ms,400,measured_requests=2.5",
            "b,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,64,ttft_ms,400,measured_requests=0",
            "c,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,64,ttft_ms,400,measured_requests=10; measured_requests=20",
            "d,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,64,ttft_ms,400,warm_up_requests=10",
            "e,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,qps:2,ttft_ms,400,measured_requests=10");

        // Then each is reported with its line and column, and no row is read
        Assert.Empty(rows);
        Assert.Equal(
            [
                "m.csv line 2, column 'note': 'measured_requests=2.5' needs a whole number of requests, at least 1, e.g. measured_requests=200.",
                "m.csv line 3, column 'note': 'measured_requests=0' needs a whole number of requests, at least 1, e.g. measured_requests=200.",
                "m.csv line 4, column 'note': 'measured_requests' is given twice. Give it once.",
                "m.csv line 5, column 'note': 'warm_up_requests' needs 'measured_requests' beside it: the requests the benchmark measured in all, e.g. measured_requests=200.",
                "m.csv line 6, column 'note': 'warm_up_requests' and 'measured_requests' describe a closed-loop benchmark, but the row's concurrency is qps:2. Remove them, or give the clients as a whole number.",
            ],
            errors);
    }

    [Fact]
    public void Should_read_back_equal_rows_When_random_rows_are_written()
    {
        // Given seeded random rows of every metric, load kind and precision, with notes that need quoting
        var random = new Random(20261202);
        Precision[] precisions = [.. PrecisionFacts.All];
        var rows = new List<Measurement>();
        for (int i = 0; i < 200; i++)
        {
            var metric = MeasuredMetricFacts.All[random.Next(MeasuredMetricFacts.All.Count)].Metric;
            MeasuredLoad load = metric.IsLayer() || random.Next(3) == 0 ? MeasuredLoad.Closed(random.Next(1, 513))
                : random.Next(2) == 0 ? MeasuredLoad.Max
                : MeasuredLoad.OpenLoop(random.Next(2) == 0 ? null : LlmPlan.Units.RequestsPerSecond.FromRequestsPerSecond(random.NextDouble() * 50 + 0.01));
            bool closed = load.Kind == LoadKind.Closed && !metric.IsLayer();
            var requests = closed && random.Next(2) == 0 ? new LlmPlan.Performance.ClosedLoopRequests(random.Next(0, 100), random.Next(1, 1000)) : null;
            string note = random.Next(2) == 0 ? "a, \"quoted\" note" : string.Empty;
            if (requests is not null)
            {
                note += "; " + MeasurementReader.RequestsNote(requests);
            }

            rows.Add(new Measurement
            {
                Id = "r" + i, Source = "s", Engine = "vllm:0.12.0", Model = "llama-3.1-8b", Gpu = "H100-SXM-80GB",
                Precision = precisions[random.Next(precisions.Length)], TensorParallel = random.Next(1, 9), PipelineParallel = random.Next(1, 5),
                Replicas = random.Next(1, 4), InputTokens = metric == MeasuredMetric.LayerDecode && random.Next(2) == 0 ? null : random.Next(1, 8193),
                OutputTokens = metric.IsLayer() ? null : random.Next(1, 2049), Load = load, Metric = metric,
                Value = Math.Exp((random.NextDouble() * 20) - 10), Note = note, Requests = requests, Line = i + 2,
            });
        }

        // When written and read back
        var errors = new InputErrors();
        IReadOnlyList<Measurement> read = MeasurementReader.Parse("m.csv", MeasurementWriter.Csv(rows), errors);

        // Then every row comes back equal, the value to the last bit
        Assert.Empty(errors.All);
        Assert.Equal(rows, read);
    }

    [Fact]
    public void Should_read_files_as_one_and_name_the_other_file_When_an_id_repeats_across_them()
    {
        // Given two files, the second repeating one id of the first
        using var folder = new TempFolder();
        string a = folder.Write("a.csv", string.Join("\n", Header, "x,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,8,tpot_ms,12.5,", "y,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,8,ttft_ms,100,"));
        string b = folder.Write("b.csv", string.Join("\n", Header, "z,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,8,tpot_ms,12.5,", "y,s,vllm,llama-3.1-8b,H100-SXM-80GB,bf16,1,1,1,1024,128,8,ttft_ms,100,"));
        var errors = new InputErrors();

        // When read as one
        IReadOnlyList<Measurement> both = MeasurementReader.Read([a, Path.Combine(folder.Path, "none.csv")], errors);
        var clash = new InputErrors();
        MeasurementReader.Read([a, b], clash);

        // Then the rows come in file order, a missing file is named, and the repeated id names the first file's line
        Assert.Equal(["x", "y"], both.Select(r => r.Id));
        Assert.Single(errors.All);
        Assert.Equal(["b.csv line 3, column 'id': 'y' is used twice (first in a.csv line 3). Give each row its own id."], clash.All.Select(e => e.ToString()));
    }
}
