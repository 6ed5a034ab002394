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

    /// <summary>Records an error when an output path names one of the inputs (a file, or a file inside an input folder):
    /// input files are never modified.</summary>
    public static void RefuseInputAsOutput(string? outPath, string option, IEnumerable<string?> inputs, Validation.InputErrors errors)
    {
        if (outPath is null)
        {
            return;
        }

        string target = Path.GetFullPath(outPath);
        foreach (string input in inputs.OfType<string>().Select(Path.GetFullPath))
        {
            if (target == input || (Directory.Exists(input) && Path.GetDirectoryName(target) == input.TrimEnd(Path.DirectorySeparatorChar) && File.Exists(target)))
            {
                errors.Add(option, $"names the input {(target == input ? "file" : "folder's file")} '{outPath}', which is never overwritten; write to another file.");
                return;
            }
        }
    }

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
