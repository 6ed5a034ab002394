namespace LlmPlan.Cli;

/// <summary>The <c>llmplan</c> entry point: the only place that touches <see cref="Console"/>.</summary>
public static class Program
{
    /// <summary>Runs the tool.</summary>
    /// <param name="args">The command line.</param>
    /// <returns>The exit code (<see cref="ExitCode"/>).</returns>
    public static int Main(string[] args) => CliApp.Run(args, Console.Out, Console.Error);
}
