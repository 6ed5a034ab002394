using LlmPlan.IO.Fleet;
using LlmPlan.Planning.Fleet;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Fleet;

public sealed partial class MelangeConfigReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A file of examples/fleet (copies of shared/data/fleet, so that the tests run without the shared folder).</summary>
    private static string Example(string name) => Path.Combine(CliRun.RepositoryRoot, "examples", "fleet", name);

    private static IReadOnlyList<InputError> ErrorsOf(string file, string text) =>
        Assert.Throws<InputValidationException>(() => MelangeConfigReader.Parse(file, text)).Errors;

    private static double[] Values<T>(IEnumerable<T> quantities)
        where T : struct, IQuantity<T> => [.. quantities.Select(q => q.Value)];

    [Fact]
    public void Should_read_every_value_When_the_melange_example_is_read()
    {
        // Given: the Mélange repository's example.json.
        string path = Example("melange-example.json");

        // When
        MelangeConfig config = MelangeConfigReader.Read(path);

        // Then
        Assert.Equal("melange-example.json", config.Source);
        Assert.Equal(["A10G", "A100-80GB"], config.GpuNames);
        Assert.Equal([1.01, 3.67], Values(config.Gpus.Select(g => g.Cost)));
        Assert.Equal([[2.0, 1.0], [5.0, 2.0]], config.Gpus[0].Tputs.Select(row => Values(row)));
        Assert.Equal([[20.0, 20.0], [40.0, 20.0]], config.Gpus[1].Tputs.Select(row => Values(row)));
        Assert.Equal([[0.2, 0.1], [0.5, 0.2]], config.Distribution);
        Assert.Equal((2, 2), (config.Rows, config.Columns));
        Assert.Equal(30.0, config.TotalRate.Value);
        Assert.Equal("total_request_rate", config.RateKey);
        Assert.Equal(1, config.SliceFactor);
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Should_give_each_bucket_its_fraction_of_the_rate_When_the_melange_example_is_converted()
    {
        // Given
        MelangeConfig config = MelangeConfigReader.Read(Example("melange-example.json"));

        // When
        FleetProblem problem = config.ToProblem();

        // Then: one option per GPU with its capacities row-major; buckets row-major with rate = fraction × 30 requests/s.
        Assert.Equal(["A10G", "A100-80GB"], problem.Options.Select(o => o.Name));
        Assert.Equal([1.01, 3.67], Values(problem.Options.Select(o => o.CostPerHour)));
        Assert.Equal([2.0, 1.0, 5.0, 2.0], Values(problem.Options[0].Capacity));
        Assert.Equal([20.0, 20.0, 40.0, 20.0], Values(problem.Options[1].Capacity));
        Assert.All(problem.Options, o => Assert.Equal((0, (int?)null), (o.MinCount, o.MaxCount)));
        Assert.Equal(["(input 1, output 1)", "(input 1, output 2)", "(input 2, output 1)", "(input 2, output 2)"], problem.Buckets.Select(b => b.Label));
        Assert.Equal([(0, 0), (0, 1), (1, 0), (1, 1)], problem.Buckets.Select(b => (b.Row, b.Column)));
        Assert.Equal([6.0, 3.0, 15.0, 6.0], Values(problem.Buckets.Select(b => b.Rate)));
        Assert.Equal(30.0, problem.TotalRate.Value);
        Assert.Equal((1, 1.0), (problem.SliceFactor, problem.Utilization));
    }

    [Fact]
    public void Should_use_the_overrides_When_the_problem_is_built_with_another_rate_and_slice_factor()
    {
        // Given
        MelangeConfig config = MelangeConfigReader.Read(Example("melange-example.json"));

        // When
        FleetProblem problem = config.ToProblem(RequestsPerSecond.FromRequestsPerSecond(10), sliceFactorOverride: 4);

        // Then
        Assert.Equal([2.0, 1.0, 5.0, 2.0], Values(problem.Buckets.Select(b => b.Rate)));
        Assert.Equal(4, problem.SliceFactor);
    }

    [Fact]
    public void Should_name_the_override_When_ToProblem_gets_a_negative_rate_or_a_zero_slice_factor()
    {
        // Given
        MelangeConfig config = MelangeConfigReader.Read(Example("melange-example.json"));

        // When
        var rate = Assert.Throws<ArgumentOutOfRangeException>(() => config.ToProblem(RequestsPerSecond.FromRequestsPerSecond(-1)));
        var slices = Assert.Throws<ArgumentOutOfRangeException>(() => config.ToProblem(sliceFactorOverride: 0));

        // Then
        Assert.Equal(("rateOverride", "sliceFactorOverride"), (rate.ParamName, slices.ParamName));
    }

    [Fact]
    public void Should_read_four_gpus_and_36_buckets_When_the_llama2_arena_profiles_are_read()
    {
        // Given: Mélange's Llama-2-7B vLLM profiles and the Chatbot Arena distribution (sums to 1.000001).
        string path = Example("melange-llama2-7b-arena.json");

        // When
        MelangeConfig config = MelangeConfigReader.Read(path);
        FleetProblem problem = config.ToProblem();

        // Then
        Assert.Equal(["L4", "A10G", "A100", "H100"], config.GpuNames);
        Assert.Equal([0.7, 1.01, 3.67, 6.234], Values(config.Gpus.Select(g => g.Cost)));
        Assert.Equal((6, 6, 4, 8.0), (config.Rows, config.Columns, config.SliceFactor, config.TotalRate.Value));
        Assert.Equal(0.3778575129, config.Gpus[3].Tputs[5][5].Value);
        Assert.Empty(config.Warnings);
        Assert.Equal(36, problem.Buckets.Count);
        Assert.All(problem.Options, o => Assert.Equal(36, o.Capacity.Count));
        Assert.Equal(25.14, problem.Options[0].Capacity[0].Value);
        Assert.Equal(0.0002 * 8, problem.Buckets[5].Rate.Value);
        Assert.Equal(8.000008, problem.TotalRate.Value, 9);
    }

    [Fact]
    public void Should_leave_the_file_unchanged_When_it_is_read()
    {
        // Given: a copy of the example, with its bytes and time stamp.
        string path = Path.Combine(_temp.Path, "melange-example.json");
        File.Copy(Example("melange-example.json"), path);
        byte[] before = File.ReadAllBytes(path);
        DateTime written = File.GetLastWriteTimeUtc(path);

        // When: it is read and converted (Mélange itself adds "loads" to the GPU entries it was given).
        MelangeConfigReader.Read(path).ToProblem();

        // Then
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void Should_accept_a_zero_tput_When_a_gpu_cannot_serve_a_bucket_within_the_slo()
    {
        // Given: the L4 cannot serve the long-output bucket; the A100 can.
        string text = """
            {"gpu_info": {"L4": {"cost": 0.7, "tputs": [[3, 0]]}, "A100": {"cost": 3.67, "tputs": [[20, 4]]}},
             "workload_distribution": [[0.5, 0.5]], "total_request_rate": 2}
            """;

        // When
        MelangeConfig config = MelangeConfigReader.Parse("zero.json", text);

        // Then
        Assert.Equal([3.0, 0.0], Values(config.ToProblem().Options[0].Capacity));
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Should_warn_and_use_the_fractions_as_given_When_the_distribution_does_not_sum_to_one()
    {
        // Given: fractions summing to 0.9.
        string text = """
            {"gpu_info": {"A10G": {"cost": 1.01, "tputs": [[2, 1], [5, 2]]}},
             "workload_distribution": [[0.2, 0.1], [0.4, 0.2]],
             "total_request_rate": 30}
            """;

        // When
        MelangeConfig config = MelangeConfigReader.Parse("sum.json", text);

        // Then: a warning, and each bucket's rate is its fraction × 30, not normalised (as Mélange does).
        Assert.Equal(
            ["sum.json line 2, field 'workload_distribution': the fractions sum to 0.9, not 1. They are used as given, as Mélange does (a bucket's rate = its fraction × total_request_rate), so the buckets carry 27 requests/s in all, not 30. Divide every fraction by their sum if they are meant as shares of the total."],
            config.Warnings);
        Assert.Equal([6.0, 3.0, 12.0, 6.0], Values(config.ToProblem().Buckets.Select(b => b.Rate)));
    }

    [Fact]
    public void Should_warn_When_no_gpu_can_serve_a_bucket_or_a_gpu_has_a_field_melange_ignores()
    {
        // Given: the only GPU has tput 0 for a bucket with requests, and a memory_gb field.
        string text = """
            {"gpu_info": {"L4": {"cost": 0.7, "tputs": [[3, 0]], "memory_gb": 24}},
             "workload_distribution": [[0.5, 0.5]], "total_request_rate": 2}
            """;

        // When
        MelangeConfig config = MelangeConfigReader.Parse("w.json", text);

        // Then
        Assert.Equal(
            [
                "w.json line 1, field 'gpu_info.L4.memory_gb': unknown field, ignored (Mélange reads only cost and tputs of a GPU).",
                "w.json line 2, field 'workload_distribution[0][1]': bucket (input 1, output 2) has 0.5 of the requests but every GPU's tput there is 0, so no fleet can serve it within the SLO.",
            ],
            config.Warnings);
    }

    [Fact]
    public void Should_say_the_file_does_not_exist_When_the_path_is_wrong()
    {
        // Given
        string path = Path.Combine(_temp.Path, "missing.json");

        // When
        var error = Assert.Throws<InputValidationException>(() => MelangeConfigReader.Read(path));

        // Then
        Assert.Equal([new InputError(path, "the file does not exist. Check the path.")], error.Errors);
    }
}
