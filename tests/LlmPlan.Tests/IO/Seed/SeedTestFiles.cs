namespace LlmPlan.Tests.IO.Seed;

/// <summary>Paths of the seed examples and a scratch folder that deletes itself.</summary>
internal sealed class SeedTestFiles : IDisposable
{
    public SeedTestFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "llmplan-seed-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>The scratch folder.</summary>
    public string Root { get; }

    /// <summary>The repository's examples/seed folder, found by walking up from the test binaries.</summary>
    public static string Examples
    {
        get
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "examples", "seed");
                if (File.Exists(Path.Combine(dir.FullName, "LlmPlan.slnx")) && Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("examples/seed not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A file of an example config dir, e.g. Example("medium", "config.csv").</summary>
    public static string Example(params string[] parts) => Path.Combine([Examples, .. parts]);

    /// <summary>Writes lines into the scratch folder and returns the file's path.</summary>
    public string Write(string relativePath, params string[] lines)
    {
        string path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
