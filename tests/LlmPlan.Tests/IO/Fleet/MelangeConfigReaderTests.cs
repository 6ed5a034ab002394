using LlmPlan.IO.Fleet;
using LlmPlan.Planning.Fleet;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Fleet;

public sealed class MelangeConfigReaderTests : IDisposable
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
    public void Should_report_every_problem_at_once_When_the_file_has_many_errors()
    {
        // Given: a ragged row, a negative cost, NaN, string and null cells, tputs of the wrong shape, an unknown key
        // and slice_factor 0.
        string text = """
            {
              "gpu_info": {
                "A10G": {"cost": -1.01, "tputs": [[2, 1], [5]]},
                "A100": {"cost": 3.67, "tputs": [[20, NaN], ["fast", null], [1, 2]]}
              },
              "workload_distribution": [[0.2, 0.1], [0.5, 0.2]],
              "total_request_rate": 30,
              "slice_factor": 0,
              "gpu_count": 4
            }
            """;

        // When
        IReadOnlyList<InputError> errors = ErrorsOf("bad.json", text);

        // Then
        Assert.Equal(
            [
                new InputError("bad.json line 9, field 'gpu_count'", "unknown field. Known fields here: gpu_info, workload_distribution, total_request_rate, overall_rate, slice_factor."),
                new InputError("bad.json line 3, field 'gpu_info.A10G.cost'", "-1.01 is out of range; it must be at least 0."),
                new InputError("bad.json line 3, field 'gpu_info.A10G.tputs[1]'", "row 1 has 1 value but row 0 has 2 values; every row needs one value per output-length bucket."),
                new InputError("bad.json line 4, field 'gpu_info.A100.tputs[0][1]'", "'NaN' is not a number. Write a finite number with '.' as the decimal separator."),
                new InputError("bad.json line 4, field 'gpu_info.A100.tputs[1][0]'", "'fast' is not a number. Write a finite number with '.' as the decimal separator."),
                new InputError("bad.json line 4, field 'gpu_info.A100.tputs[1][1]'", "'null' is not a number. Write a finite number with '.' as the decimal separator."),
                new InputError("bad.json line 4, field 'gpu_info.A100.tputs'", "is 3×2 (rows × columns) but workload_distribution is 2×2; give one throughput per bucket of the distribution (rows = input-length buckets, columns = output-length buckets)."),
                new InputError("bad.json line 8, field 'slice_factor'", "0 is out of range; it must be at least 1."),
            ],
            errors);
    }

    [Fact]
    public void Should_say_what_each_key_holds_When_the_required_keys_are_missing()
    {
        // Given
        string text = "{\"slice_factor\": 2}";

        // When
        IReadOnlyList<InputError> errors = ErrorsOf("empty.json", text);

        // Then
        Assert.Equal(
            [
                new InputError("empty.json line 1", "field 'gpu_info' is missing: map each GPU name to its price and profiled throughputs, e.g. \"gpu_info\": {\"A10G\": {\"cost\": 1.01, \"tputs\": [[2, 1], [5, 2]]}}."),
                new InputError("empty.json line 1", "field 'workload_distribution' is missing: give the fraction of requests in each bucket, rows = input-length buckets, columns = output-length buckets, e.g. \"workload_distribution\": [[0.2, 0.1], [0.5, 0.2]]."),
                new InputError("empty.json line 1", "field 'total_request_rate' is missing: give the total request rate in requests/s, e.g. \"total_request_rate\": 30 (the older name 'overall_rate' is accepted too)."),
            ],
            errors);
    }

    [Fact]
    public void Should_report_empty_and_misshapen_parts_When_gpu_info_and_the_distribution_hold_nothing_usable()
    {
        // Given
        string text = """
            {
              "gpu_info": {},
              "workload_distribution": [[0.5, 0.5], 1, []],
              "total_request_rate": "fast"
            }
            """;
        string noRows = """
            {
              "gpu_info": {"A10G": [1.01], "": {"cost": 1}, "L4": {"cost": 0.7, "tputs": {"a": 1}}},
              "workload_distribution": [],
              "total_request_rate": 1
            }
            """;

        // When
        IReadOnlyList<InputError> errors = ErrorsOf("parts.json", text);
        IReadOnlyList<InputError> more = ErrorsOf("more.json", noRows);

        // Then
        Assert.Equal(
            [
                new InputError("parts.json line 2, field 'gpu_info'", "names no GPU; give at least one GPU type with its cost and tputs."),
                new InputError("parts.json line 3, field 'workload_distribution[1]'", "must be a list of numbers, one per output-length bucket, e.g. [2, 1]."),
                new InputError("parts.json line 3, field 'workload_distribution[2]'", "the row is empty; give one number per output-length bucket."),
                new InputError("parts.json line 4, field 'total_request_rate'", "'fast' is not a number. Write a finite number with '.' as the decimal separator."),
            ],
            errors);
        Assert.Equal(
            [
                new InputError("more.json line 2, field 'gpu_info.A10G'", "must be an object with the GPU's cost ($/h) and tputs (requests/s per bucket), e.g. {\"cost\": 1.01, \"tputs\": [[2, 1], [5, 2]]}."),
                new InputError("more.json line 2, field 'gpu_info.'", "the GPU name is empty; name the GPU type, e.g. \"A10G\"."),
                new InputError("more.json line 2, field 'gpu_info.L4.tputs'", "must be a list of rows, one per input-length bucket, each a list of numbers, one per output-length bucket, e.g. [[2, 1], [5, 2]]."),
                new InputError("more.json line 3, field 'workload_distribution'", "has no rows; give at least one row of at least one number, e.g. [[2, 1], [5, 2]]."),
            ],
            more);
    }

    [Fact]
    public void Should_reject_the_rate_When_fraction_times_rate_overflows()
    {
        // Given: finite numbers whose product is not.
        string text = """{"gpu_info": {"A10G": {"cost": 1, "tputs": [[1]]}}, "workload_distribution": [[1e10]], "total_request_rate": 1e300}""";

        // When
        IReadOnlyList<InputError> errors = ErrorsOf("huge.json", text);

        // Then
        Assert.Equal(
            [new InputError("huge.json line 1, field 'total_request_rate'", "the bucket rates (fraction × rate) are too large to compute; use requests/s and fractions of a sensible size.")],
            errors);
    }

    [Fact]
    public void Should_say_so_When_the_file_is_not_an_object()
    {
        // When
        IReadOnlyList<InputError> errors = ErrorsOf("list.json", "[1, 2]");

        // Then
        Assert.Equal(
            [new InputError("list.json line 1", "must be a JSON object with the keys gpu_info, workload_distribution and total_request_rate (and optionally slice_factor); see examples/fleet/melange-example.json.")],
            errors);
    }

    [Fact]
    public void Should_give_the_line_When_the_json_is_cut_short_or_the_parser_fails_on_a_tag()
    {
        // Given: a file cut off after a GPU, and one with a "!!" tag YamlDotNet's scanner throws an ArgumentException on.
        string cut = "{\"gpu_info\": {\"A10G\": {\"cost\": 1.01,\n";
        string tag = "{\"gpu_info\": {},\n \"total_request_rate\": !!x[ 1}";

        // When
        IReadOnlyList<InputError> cutErrors = ErrorsOf("cut.json", cut);
        IReadOnlyList<InputError> tagErrors = ErrorsOf("tag.json", tag);

        // Then
        Assert.Equal([new InputError("cut.json line 2, column 1", "not valid YAML/JSON: While parsing a node, did not find expected node content.")], cutErrors);
        Assert.Equal(
            [new InputError("tag.json line 2", "not valid YAML/JSON at or after this line: the parser could not read what follows. Check the brackets, quotes and commas there.")],
            tagErrors);
    }

    [Fact]
    public void Should_name_both_lines_and_go_on_checking_When_a_gpu_name_is_repeated()
    {
        // Given: A10G twice (a JSON reader would silently keep one) and a negative rate further down.
        string text = """
            {
              "gpu_info": {
                "A10G": {"cost": 1.01, "tputs": [[2]]},
                "A10G": {"cost": 0.5, "tputs": [[3]]}
              },
              "workload_distribution": [[1]],
              "total_request_rate": -5
            }
            """;

        // When
        IReadOnlyList<InputError> errors = ErrorsOf("dup.json", text);

        // Then
        Assert.Equal(
            [
                new InputError("dup.json line 4, field 'gpu_info.A10G'", "'A10G' is given twice (first at line 3); keys in one object must be unique, as a reader keeps only one of them. Remove or rename one."),
                new InputError("dup.json line 7, field 'total_request_rate'", "-5 is out of range; it must be at least 0."),
            ],
            errors);
    }

    [Fact]
    public void Should_read_the_rate_and_remember_the_key_When_the_file_uses_the_older_name_overall_rate()
    {
        // Given
        string text = """{"gpu_info": {"A10G": {"cost": 1.01, "tputs": [[2, 1]]}}, "workload_distribution": [[0.5, 0.5]], "overall_rate": 4}""";

        // When
        MelangeConfig config = MelangeConfigReader.Parse("old.json", text);

        // Then
        Assert.Equal((4.0, "overall_rate"), (config.TotalRate.Value, config.RateKey));
        Assert.Equal([2.0, 2.0], Values(config.ToProblem().Buckets.Select(b => b.Rate)));
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Should_reject_the_file_When_both_rate_names_are_given()
    {
        // Given
        string text = """
            {"gpu_info": {"A10G": {"cost": 1.01, "tputs": [[2]]}}, "workload_distribution": [[1]],
             "total_request_rate": 4,
             "overall_rate": 4}
            """;

        // When
        IReadOnlyList<InputError> errors = ErrorsOf("both.json", text);

        // Then
        Assert.Equal(
            [new InputError("both.json line 3, field 'overall_rate'", "'overall_rate' is the older name of 'total_request_rate', which is given too; keep only one of them.")],
            errors);
    }

    [Fact]
    public void Should_reject_a_gpu_named_like_a_result_key_When_its_count_would_repeat_that_key()
    {
        // Given a GPU named "cost", When read, Then it is refused: the result's keys are the GPU names, then "cost".
        string text = """{"gpu_info": {"cost": {"cost": 1, "tputs": [[1]]}}, "workload_distribution": [[1]], "total_request_rate": 1}""";
        var e = Assert.Throws<InputValidationException>(() => MelangeConfigReader.Parse("named.json", text));
        Assert.Equal(
            ["named.json line 1, field 'gpu_info.cost': the GPU name 'cost' is also a key of the result (its keys are the GPU names, then cost, status, reason, solver, nodes, solve_seconds, total_request_rate, slice_factor, utilization, allocations, assignments, single_type, profiles); rename the GPU type."],
            e.Errors.Select(x => x.ToString()));
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
