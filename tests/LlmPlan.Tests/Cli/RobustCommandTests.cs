using LlmPlan.IO.Robust;
using LlmPlan.Planning.Robust;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Tests.Planning.Robust;

namespace LlmPlan.Tests.Cli;

public class RobustCommandTests
{
    [Fact]
    public void Should_write_the_seeds_instance_When_seed_42_is_generated()
    {
        // Given a folder that does not exist yet.
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "out", "inst.json");

        // When
        CliResult r = CliRun.Run("robust", "generate", "--seed", "42", "--out", path);

        // Then the file holds the fixture's values, and the summary names λ.
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Empty, r.Error);
        Assert.Equal($"rodiu-seed42: 6 query types (λ = 118, 88, 114, 47, 40, 16 queries/h), 6 models, 10 GPU tiers; wrote {path}.\n", r.Output);
        RobustFixture.AssertSameValues(RobustInstanceReader.Read(RobustFixture.Path), RobustInstanceReader.Read(path));
    }

    [Fact]
    public void Should_generate_seed_42_When_no_seed_is_given()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "inst.json");
        Assert.Equal(0, CliRun.Run("robust", "generate", "--out", path).ExitCode);
        Assert.Equal("rodiu-seed42", RobustInstanceReader.Read(path).Name);
    }

    [Fact]
    public void Should_draw_lambda_in_its_ranges_When_seed_7_is_generated()
    {
        // Given seed 7, When generated, Then the file reads back to Generate(7), with each λ in its randint range.
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "inst.json");
        CliResult r = CliRun.Run("robust", "generate", "--seed", "7", "--out", path);
        Assert.Equal(0, r.ExitCode);
        RobustInstance read = RobustInstanceReader.Read(path);
        Assert.Equal("rodiu-seed7", read.Name);
        (int Lo, int Hi)[] ranges = [(80, 120), (60, 100), (100, 140), (40, 80), (20, 60), (10, 30)];
        Assert.All(read.QueryClasses.Zip(ranges), p => Assert.InRange(p.First.ArrivalRatePerHour, p.Second.Lo, p.Second.Hi - 1));
        RobustFixture.AssertSameValues(RobustGenerator.Generate(7), read);
    }

    [Fact]
    public void Should_exit_1_with_every_problem_When_the_seed_is_negative_and_out_is_missing()
    {
        CliResult r = CliRun.Run("robust", "generate", "--seed", "-1");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            "error: 2 problems with the input:\n  --seed: must be an integer from 0 to 4294967295 (numpy's seed range).\n  --out: is required: the file to write the instance to, e.g. --out inst.json.\n",
            r.Error);
    }

    [Fact]
    public void Should_accept_the_largest_numpy_seed_and_refuse_the_next()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "inst.json");
        Assert.Equal(0, CliRun.Run("robust", "generate", "--seed", "4294967295", "--out", path).ExitCode);
        CliResult r = CliRun.Run("robust", "generate", "--seed", "4294967296", "--out", path);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("error: invalid input:\n  --seed: must be an integer from 0 to 4294967295 (numpy's seed range).\n", r.Error);
    }
}
