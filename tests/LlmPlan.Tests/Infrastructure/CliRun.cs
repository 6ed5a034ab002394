using System.Globalization;
using LlmPlan.Cli;

namespace LlmPlan.Tests.Infrastructure;

/// <summary>The result of one in-process run of the command line.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs <c>llmplan</c> in process with captured writers.</summary>
public static class CliRun
{
    public static CliResult Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        using var error = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        int code = CliApp.Run(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>The repository root (holds LlmPlan.slnx).</summary>
    public static string RepositoryRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "LlmPlan.slnx")))
            {
                dir = Path.GetDirectoryName(dir);
            }

            return dir ?? throw new InvalidOperationException("LlmPlan.slnx not found above the test binaries.");
        }
    }
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llmplan-tests-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, string text)
    {
        string file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
