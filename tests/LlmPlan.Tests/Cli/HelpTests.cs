using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

public class HelpTests
{
    [Theory]
    [InlineData("root")]
    [InlineData("evaluate")]
    [InlineData("catalog")]
    [InlineData("fleet")]
    [InlineData("offload")]
    [InlineData("robust")]
    [InlineData("sweep fleet")]
    [InlineData("sweep robust")]
    [InlineData("robust generate")]
    [InlineData("validate")]
    [InlineData("calibrate")]
    [InlineData("measurements from-vllm")]
    [InlineData("measurements from-sglang")]
    [InlineData("measurements")]
    public void Should_match_the_golden_help_When_help_is_asked(string command)
    {
        // Given a command, When --help is asked, Then the text is the reviewed one and the exit code 0.
        string[] args = command == "root" ? ["--help"] : [.. command.Split(' '), "--help"];
        CliResult result = CliRun.Run(args);
        Assert.Equal(0, result.ExitCode);
        Golden.Verify("Help", command.Replace(' ', '-'), "txt", result.Output);
    }

    [Fact]
    public void Should_exit_1_with_usage_When_a_flag_is_unknown()
    {
        CliResult result = CliRun.Run("evaluate", "--gpus", "H100");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Unrecognized command or argument '--gpus'", result.Error, StringComparison.Ordinal);
    }
}
