using LlmPlan.Catalog;
using LlmPlan.IO.Seed;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Seed;

public sealed class SeedConfigReaderTests : IDisposable
{
    private readonly SeedTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>Writes medium's config.csv with some rows removed and others appended.</summary>
    private string MediumConfigWith(string[] without, params string[] extraRows)
    {
        string[] lines = File.ReadAllLines(SeedTestFiles.Example("medium", "config.csv"));
        string[] kept = [.. lines.Where(l => !without.Any(k => l.StartsWith(k + ",", StringComparison.Ordinal))), .. extraRows];
        return _files.Write("config.csv", kept);
    }

    [Fact]
    public void Should_read_every_key_When_the_medium_config_is_read()
    {
        // Given
        var errors = new InputErrors();

        // When
        SeedConfig? config = SeedConfigReader.Read(SeedTestFiles.Example("medium", "config.csv"), errors);

        // Then: the Era A "medium" row of spec §2.1.
        Assert.Empty(errors.All);
        Assert.NotNull(config);
        Assert.Equal("llama-8b", config.ModelName);
        Assert.Equal((32, 8192, 22016, 32000, 64), (config.Layers, config.HiddenSize, config.FfnSize, config.VocabSize, config.AttentionHeads));
        Assert.Equal(64, config.KvHeads);
        Assert.Equal(128, config.HeadDim);
        Assert.Equal((4096, 64, 64), (config.SequenceLength, config.MinBatchSize, config.MaxBatchSize));
        Assert.Equal(3.5, config.LayerWeightMemoryGigabytes);
        Assert.Equal(2, config.BytesPerElement);
        Assert.Equal(300, config.TimeLimit.Value);
        Assert.Equal(0.05, config.OptimalityGap);
        Assert.Equal((8, 5, 0.5), (config.MaxPipelineStages, config.MinLayersPerStage, config.MinMemoryUtilization));
        Assert.True(config.EnableSegmentQuantization);
        Assert.Equal("cost_first", config.OptimizationPriority);
        Assert.Equal(0.9, config.CostWeight);
        Assert.Null(config.HourlyBudget);
        Assert.Null(config.TotalCostBudget);
        Assert.Null(config.RuntimeLimit);
        Assert.Equal(1e6, config.TotalTokensToProcess.Value);
        Assert.Equal((131072, 0.55, 0.90), (config.MaxPositionEmbeddings, config.RealWorldEfficiency, config.GpuMemoryUtilization));
    }

    [Fact]
    public void Should_build_the_model_When_the_medium_config_is_converted()
    {
        // Given
        string path = SeedTestFiles.Example("medium", "config.csv");
        SeedConfig config = SeedConfigReader.Read(path, new InputErrors())!;

        // When
        ModelArchitecture model = config.ToModel();

        // Then
        Assert.Equal("llama-8b", model.Id);
        Assert.Equal((32, 8192, 22016), (model.Layers, model.HiddenSize, model.FfnSize));
        Assert.Equal(MlpKind.Gated, model.Mlp);
        Assert.Equal((64, 64, 128, 32000), (model.AttentionHeads, model.KvHeads, model.HeadDim, model.VocabSize));
        Assert.False(model.TiedEmbeddings);
        Assert.Equal((1, 1, 0L, 131072), (model.Experts, model.ActiveExperts, model.OtherParameters, model.MaxContext));
        Assert.Equal(path, model.Source);
        Assert.Equal(new DateOnly(2026, 3, 22), model.Captured);
    }

    [Fact]
    public void Should_use_the_grouped_query_and_context_keys_When_the_head_config_gives_them()
    {
        // Given
        var errors = new InputErrors();

        // When
        SeedConfig? config = SeedConfigReader.Read(SeedTestFiles.Example("aws-llama3-70b", "config.csv"), errors);

        // Then
        Assert.Empty(errors.All);
        Assert.NotNull(config);
        Assert.Equal((80, 8, 128, 8192), (config.Layers, config.KvHeads, config.HeadDim, config.MaxPositionEmbeddings));
        Assert.Equal(0.70, config.RealWorldEfficiency);
        Assert.Null(config.SequenceLength);
        Assert.Null(config.MinBatchSize);
    }

    [Fact]
    public void Should_report_the_row_to_add_When_a_required_key_is_missing()
    {
        // Given
        string path = MediumConfigWith(["d_model"]);
        var errors = new InputErrors();

        // When
        SeedConfig? config = SeedConfigReader.Read(path, errors);

        // Then
        Assert.Null(config);
        Assert.Equal([new InputError("config.csv", "key 'd_model' is missing; add a row 'd_model,<hidden size>'.")], errors.All);
    }

    [Fact]
    public void Should_report_every_error_at_once_When_several_values_are_bad()
    {
        // Given: three of the file's 27 lines are removed, so d_model moves up to line 6 and the appended rows are lines 25-29.
        string path = MediumConfigWith(
            ["num_decoder_layers", "optimality_gap", "optimization_priority"],
            "num_decoder_layers,thirty-two", "optimality_gap,1.5", "optimization_priority,fastest", "d_model,4096", "some_future_key,1");
        var errors = new InputErrors();

        // When
        SeedConfig? config = SeedConfigReader.Read(path, errors);

        // Then
        Assert.Null(config);
        Assert.Equal(
            [
                new InputError("config.csv line 28, key 'd_model'", "the key is listed twice (first on line 6). Keep one row per key."),
                new InputError("config.csv line 25, key 'num_decoder_layers'", "'thirty-two' is not a whole number. Write an integer such as 8."),
                new InputError("config.csv line 26, key 'optimality_gap'", "1.5 is out of range; it must be at most 1."),
                new InputError("config.csv line 27, key 'optimization_priority'", "'fastest' is not a priority. Write throughput_first, balanced or cost_first."),
            ],
            errors.All);
    }

    [Theory]
    [InlineData("optimization_priority,throughput_first", 0.1)]
    [InlineData("optimization_priority,balanced", 0.5)]
    [InlineData("optimization_priority,cost_first", 0.9)]
    [InlineData("cost_throughput_weight,0.3", 0.3)]
    public void Should_map_the_priority_to_a_cost_weight_When_either_key_is_given(string row, double weight)
    {
        // Given
        string path = MediumConfigWith(["optimization_priority"], row);
        var errors = new InputErrors();

        // When
        SeedConfig? config = SeedConfigReader.Read(path, errors);

        // Then
        Assert.Empty(errors.All);
        Assert.Equal(weight, config!.CostWeight);
    }

    [Fact]
    public void Should_ask_for_a_priority_When_neither_the_priority_nor_the_weight_is_given()
    {
        // Given
        string path = MediumConfigWith(["optimization_priority"]);
        var errors = new InputErrors();

        // When
        SeedConfig? config = SeedConfigReader.Read(path, errors);

        // Then
        Assert.Null(config);
        Assert.Equal(
            [new InputError("config.csv", "key 'optimization_priority' is missing; add a row 'optimization_priority,<throughput_first|balanced|cost_first>' or the legacy 'cost_throughput_weight,<weight in [0, 1]>'.")],
            errors.All);
    }

    [Fact]
    public void Should_ask_for_head_dim_When_the_hidden_size_is_not_a_multiple_of_the_heads()
    {
        // Given: 8192 / 60 is not whole.
        string path = MediumConfigWith(["num_attention_heads"], "num_attention_heads,60");
        var errors = new InputErrors();

        // When
        SeedConfig? config = SeedConfigReader.Read(path, errors);

        // Then
        Assert.Null(config);
        Assert.Equal(
            [new InputError("config.csv line 7, key 'd_model'", "8192 is not a multiple of num_attention_heads 60, so the head dimension d_model/heads is not a whole number. Add a row 'head_dim,<head dimension>'.")],
            errors.All);
    }

    [Fact]
    public void Should_use_head_dim_When_it_is_given_for_an_uneven_split()
    {
        // Given
        string path = MediumConfigWith(["num_attention_heads"], "num_attention_heads,60", "head_dim,128", "num_kv_heads,12");
        var errors = new InputErrors();

        // When
        SeedConfig? config = SeedConfigReader.Read(path, errors);

        // Then
        Assert.Empty(errors.All);
        Assert.Equal((60, 12, 128), (config!.AttentionHeads, config.KvHeads, config.HeadDim));
    }

    [Fact]
    public void Should_report_the_file_When_config_csv_does_not_exist()
    {
        // Given
        string path = Path.Combine(_files.Root, "config.csv");
        var errors = new InputErrors();

        // When
        SeedConfig? config = SeedConfigReader.Read(path, errors);

        // Then
        Assert.Null(config);
        Assert.Equal([new InputError(path, "the file does not exist. Check the path.")], errors.All);
    }
}
