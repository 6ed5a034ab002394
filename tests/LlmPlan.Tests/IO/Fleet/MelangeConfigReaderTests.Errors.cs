using LlmPlan.IO.Fleet;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Fleet;

/// <summary>The reader's errors: every problem at once, with its file, line and field.</summary>
public sealed partial class MelangeConfigReaderTests
{
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
}
