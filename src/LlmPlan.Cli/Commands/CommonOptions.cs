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

    /// <summary>Records an error when an output folder names an existing file.</summary>
    public static void RefuseFileAsFolder(string? folder, string option, Validation.InputErrors errors)
    {
        if (folder is not null && File.Exists(folder))
        {
            errors.Add(option, $"'{folder}' is a file; give a folder (it is created when missing).");
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

    /// <summary>The value of an optional integer flag, or null when it is not given or below 1 (then with an error
    /// recorded, and no value for checks that compare it with other flags).</summary>
    public static int? AtLeastOneOrNull(ParseResult parse, Option<int?> option, Validation.InputErrors errors)
    {
        int? value = parse.GetValue(option);
        if (value < 1)
        {
            errors.Add(option.Name, Invariant.Text($"{value.Value} is out of range; it must be at least 1."));
            return null;
        }

        return value;
    }

    /// <summary>The weight and KV-cache precisions from the <c>--precision</c> and <c>--kv-precision</c> texts (null when
    /// not given), over what a file or spec says; the KV cache defaults to fp16 for fp16 weights, else bf16.</summary>
    /// <param name="weightsText">The --precision text, or null to keep <paramref name="weights"/>.</param>
    /// <param name="kvText">The --kv-precision text, or null.</param>
    /// <param name="weights">The weight precision without the flag.</param>
    /// <param name="kv">The KV-cache precision without the flag, or null to derive it from the weights.</param>
    /// <param name="errors">Collects an unknown precision.</param>
    /// <returns>The precisions.</returns>
    public static (Precision Weights, Precision KvCache) Precisions(string? weightsText, string? kvText, Precision weights, Precision? kv, Validation.InputErrors errors)
    {
        if (weightsText is not null && !PrecisionFacts.TryParse(weightsText, out weights))
        {
            errors.Add("--precision", $"'{weightsText}' is not a precision. Use one of: {string.Join(", ", PrecisionFacts.All.Select(p => p.Name()))}.");
        }

        Precision cache = kv ?? (weights == Precision.Fp16 ? Precision.Fp16 : Precision.Bf16);
        if (kvText is not null && (!PrecisionFacts.TryParse(kvText, out cache) || !cache.IsKvCachePrecision()))
        {
            errors.Add("--kv-precision", $"'{kvText}' is not a KV-cache precision. Use one of: fp16, bf16, fp8, int8.");
        }

        return (weights, cache);
    }
}
