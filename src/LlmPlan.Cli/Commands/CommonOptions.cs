using System.CommandLine;
using LlmPlan.Catalog;

namespace LlmPlan.Cli.Commands;

/// <summary>Options several verbs share.</summary>
internal static class CommonOptions
{
    /// <summary>Creates the <c>--catalog DIR</c> option.</summary>
    public static Option<string?> Catalog() => new("--catalog")
    {
        Description = "A folder of catalog CSVs (models.csv, gpus.csv, gpu-calibration.csv, instances.csv; any subset) whose rows add to or replace the built-in ones.",
        HelpName = "DIR",
    };

    /// <summary>Creates the <c>--out FILE</c> option.</summary>
    public static Option<string?> Out(string description) => new("--out")
    {
        Description = description,
        HelpName = "FILE",
    };

    /// <summary>Loads the built-in catalog merged with the user's folder.</summary>
    public static HardwareCatalog LoadCatalog(string? directory) =>
        directory is null ? CatalogLoader.BuiltIn : CatalogLoader.Load(directory);

    /// <summary>Records an error when an output path names one of the input files: input files are never modified.</summary>
    public static void RefuseInputAsOutput(string? outPath, string option, IEnumerable<string?> inputs, Validation.InputErrors errors)
    {
        if (outPath is not null && inputs.OfType<string>().Any(input => Path.GetFullPath(input) == Path.GetFullPath(outPath)))
        {
            errors.Add(option, $"names the input file '{outPath}', which is never overwritten; write to another file.");
        }
    }

    /// <summary>The files read from an optional seed config dir (none when it is not given).</summary>
    public static IEnumerable<string> SeedDirectoryFiles(string? directory) => directory is null ? [] : IO.Seed.SeedConfigDirectory.InputFiles(directory);

    /// <summary>Writes text to a file, creating its folder; input files are never the target because outputs are
    /// only written to paths the user names with --out.</summary>
    public static void WriteFile(string path, string text)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllText(path, text);
    }
}
