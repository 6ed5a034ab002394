using System.Runtime.CompilerServices;

namespace LlmPlan.Tests.Infrastructure;

/// <summary>Hand-rolled golden files: <c>Expectations/&lt;area&gt;/&lt;name&gt;.verified.&lt;ext&gt;</c>. On a mismatch
/// the actual text is written beside it as <c>.received.&lt;ext&gt;</c> and the test fails; with UPDATE_GOLDEN=1 the
/// verified file is rewritten instead.</summary>
public static class Golden
{
    public static void Verify(string area, string name, string extension, string actual, [CallerFilePath] string callerPath = "")
    {
        string folder = Path.Combine(ProjectDirectory(callerPath), "Expectations", area);
        Directory.CreateDirectory(folder);
        string verified = Path.Combine(folder, $"{name}.verified.{extension}");
        string received = Path.Combine(folder, $"{name}.received.{extension}");
        string normalized = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(verified, normalized);
        }

        string expected = File.Exists(verified) ? File.ReadAllText(verified) : "<no verified file yet>";
        if (expected == normalized)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, normalized);
        Assert.Fail($"Golden mismatch for {area}/{name}.{extension}: compare {received} with {verified}; if the change is intended, copy it over (or run with UPDATE_GOLDEN=1).");
    }

    /// <summary>The test project's folder: the nearest parent of the calling source file that holds the csproj.</summary>
    private static string ProjectDirectory(string callerPath)
    {
        string? dir = Path.GetDirectoryName(callerPath);
        while (dir is not null && !File.Exists(Path.Combine(dir, "LlmPlan.Tests.csproj")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException($"No LlmPlan.Tests.csproj above {callerPath}.");
    }
}
