using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

public class EvaluatePlacementTests
{
    private static string Example(string name) => Path.Combine(CliRun.RepositoryRoot, "examples", "evaluate", name);

    [Fact]
    public void Should_evaluate_a_mixed_pipeline_When_given_our_yaml_stage_list()
    {
        // Given the example with 48 layers on a p4de and 32 on a g6e.48xlarge, When evaluated, Then the golden table.
        CliResult result = CliRun.Run("evaluate", "--placement", Example("llama-70b-mixed.yaml"));
        Assert.Equal(0, result.ExitCode);
        Golden.Verify("Evaluate", "placement-llama-70b-mixed", "txt", result.Output);
    }

    [Fact]
    public void Should_read_the_seed_format_When_stages_use_gpu_type()
    {
        // Given the seed's --evaluate-placement JSON (two p4d machines, end_layer on one stage and segment_size on the
        // other, batch_size 32), When evaluated with --model, Then two 40-layer stages on two machines at concurrency 32.
        using var temp = new TempFolder();
        string json = Path.Combine(temp.Path, "r.json");
        CliResult result = CliRun.Run("evaluate", "--placement", Example("seed-placement-p4d.json"), "--model", "llama-3.1-70b", "--out", json);
        Assert.Equal(0, result.ExitCode);
        string text = File.ReadAllText(json);
        Assert.Contains("\"concurrency\": 32", text, StringComparison.Ordinal);
        Assert.Contains("\"instance\": \"p4d.24xlarge#1\"", text, StringComparison.Ordinal);
        Assert.Contains("\"first_layer\": 41", text, StringComparison.Ordinal);
        Assert.Contains("\"cost_per_hour\": 43.9153", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_treat_the_seed_batch_size_as_a_cap_When_the_kv_cache_holds_fewer()
    {
        // Given the seed's placement with batch_size 5000 (more than the KV cache of two p4d stages holds), When evaluated,
        // Then it runs as many sequences as fit (the seed's min(batch, KV) cap), feasibly, instead of failing.
        using var temp = new TempFolder();
        string text = File.ReadAllText(Example("seed-placement-p4d.json")).Replace("\"batch_size\": 32", "\"batch_size\": 5000", StringComparison.Ordinal);
        string file = temp.Write("p.json", text);
        string json = Path.Combine(temp.Path, "r.json");
        CliResult result = CliRun.Run("evaluate", "--placement", file, "--model", "llama-3.1-70b", "--out", json);
        Assert.Equal(0, result.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        int concurrency = doc.RootElement.GetProperty("concurrency").GetInt32();
        Assert.Equal(doc.RootElement.GetProperty("max_concurrency").GetInt32(), concurrency);
        Assert.InRange(concurrency, 257, 4999);
    }

    [Fact]
    public void Should_list_every_placement_problem_When_the_stages_are_wrong()
    {
        // Given stages with a layer gap, a GPU used twice, an unknown instance, a typo'd key and a TP larger than a machine,
        // When evaluated, Then each problem is reported with its line and field.
        using var temp = new TempFolder();
        string file = temp.Write("bad.yaml", """
            model: llama-3.1-8b
            input_tokens: 100
            output_tokens: 10
            stages:
              - instance: g6e.12xlarge
                tp: 2
                layers: 1-10
                gpu_ids: [0, 1]
              - instance: g6e.12xlarge
                tp: 2
                layers: 12-20
                gpu_ids: [1, 2]
              - instance: g7.mega
                tp: 1
                layers: 21-30
              - gpu: L4
                tp: 1
                tpp: 1
                layers: 31-32
              - instance: g6.xlarge
                tp: 2
                layers: 33-32
            """);
        CliResult result = CliRun.Run("evaluate", "--placement", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            """
            error: 6 problems with the input:
              bad.yaml line 18, field 'stages[3].tpp': unknown field. Known fields here: instance, gpu, tp, layers, first_layer, last_layer, gpu_ids.
              bad.yaml line 9, field 'stages[1]': starts at layer 12 but must start at 11: stages cover layers 1-32 in order, without gaps or overlaps.
              bad.yaml line 9, field 'stages[1]': GPU 1 of g6e.12xlarge#0 already serves another stage; each GPU serves one stage.
              bad.yaml line 13, field 'stages[2]': unknown instance 'g7.mega'. 'llmplan catalog instances' lists them; --catalog DIR adds your own.
              bad.yaml line 20, field 'stages[4]': ends at layer 32, before its first layer 33.
              bad.yaml line 20, field 'stages[4]': TP 2 needs 2 GPUs of g6.xlarge#0 but only 1 are free (it has 1).

            """,
            result.Error);
    }

    [Fact]
    public void Should_refuse_uniform_flags_When_a_placement_file_is_given()
    {
        CliResult result = CliRun.Run("evaluate", "--placement", Example("llama-70b-mixed.yaml"), "--tp", "2", "--gpu", "L4");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "error: 2 problems with the input:\n  --gpu: does not go with --placement: the file places every stage. Drop the flag or the file.\n  --tp: does not go with --placement: the file places every stage. Drop the flag or the file.\n",
            result.Error);
    }
}
