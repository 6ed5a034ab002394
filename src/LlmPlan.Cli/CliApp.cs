using System.CommandLine;
using System.CommandLine.Help;
using LlmPlan.Cli.Commands;
using LlmPlan.Optimization;
using LlmPlan.Validation;

namespace LlmPlan.Cli;

/// <summary>The exit codes of <c>llmplan</c>.</summary>
public enum ExitCode
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary>Invalid input: a file, field or flag is wrong (every problem is listed).</summary>
    InvalidInput = 1,

    /// <summary>The problem is infeasible; the reason names the constraint and by how much.</summary>
    Infeasible = 2,

    /// <summary>A solver, native library or internal failure.</summary>
    Failure = 3,
}

/// <summary>Builds the command tree and runs it against injected writers, mapping exceptions to exit codes.</summary>
public static class CliApp
{
    /// <summary>The option that shows stack traces on failure.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show details: stack traces on failure.",
        Recursive = true,
    };

    /// <summary>Builds the root command with every verb.</summary>
    /// <returns>The root command.</returns>
    public static Command BuildRoot()
    {
        // A plain command named llmplan (not RootCommand, whose name is the running executable's), so help reads the
        // same under the wrapper script, dotnet and the tests.
        var root = new Command("llmplan", "Plan LLM inference deployments (which GPUs, how many, how to split the model) and predict their speed and cost.")
        {
            new HelpOption(),
            Verbose,
            EvaluateCommand.Create(),
            FleetCommand.Create(),
            PlaceCommand.Create(),
            OffloadCommand.Create(),
            SweepCommand.Create(),
            CatalogCommand.Create(),
            RobustCommand.Create(),
            ValidateCommand.Create(),
            CalibrateCommand.Create(),
            MeasurementsCommand.Create(),
        };
        return root;
    }

    /// <summary>Runs the tool.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where results go.</param>
    /// <param name="error">Where errors go.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ParseResult parse = BuildRoot().Parse(args);
        bool verbose = parse.GetValue(Verbose);
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (InputValidationException e)
        {
            error.WriteLine(e.Errors.Count == 1 ? "error: invalid input:" : $"error: {e.Errors.Count} problems with the input:");
            foreach (InputError item in e.Errors)
            {
                error.WriteLine($"  {item}");
            }

            WriteDetails(error, e, verbose);
            return (int)ExitCode.InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {e.Message}");
            WriteDetails(error, e, verbose);
            return (int)ExitCode.InvalidInput;
        }
        catch (Exception e) when (e is SolverUnavailableException or SolverFailedException)
        {
            error.WriteLine($"error: {e.Message}");
            WriteDetails(error, e, verbose);
            return (int)ExitCode.Failure;
        }
        catch (Exception e)
        {
            error.WriteLine($"error: internal failure: {e.Message}");
            error.WriteLine(verbose ? e.ToString() : "Run again with --verbose for details, and report it with the command line.");
            return (int)ExitCode.Failure;
        }
    }

    private static void WriteDetails(TextWriter error, Exception e, bool verbose)
    {
        if (verbose)
        {
            error.WriteLine(e.ToString());
        }
    }
}
