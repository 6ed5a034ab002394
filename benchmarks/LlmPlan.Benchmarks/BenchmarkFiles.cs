namespace LlmPlan.Benchmarks;

/// <summary>Finds the repository's example files from a benchmark's build folder.</summary>
internal static class BenchmarkFiles
{
    /// <summary>A path under the repository root (the folder holding LlmPlan.slnx).</summary>
    public static string InRepository(params string[] parts)
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LlmPlan.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("LlmPlan.slnx not found above the benchmark.");
        }

        return Path.Combine([root, .. parts]);
    }
}
