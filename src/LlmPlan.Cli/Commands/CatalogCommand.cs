using System.CommandLine;
using System.Globalization;
using LlmPlan.Catalog;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan catalog models|gpus|instances</c>: lists the built-in catalog (merged with --catalog DIR).</summary>
internal static class CatalogCommand
{
    public static Command Create()
    {
        var command = new Command("catalog", "List the models, GPUs and cloud instances LlmPlan knows, as a table or as data (--out x.csv|x.json). The CSV is the catalog's own format, so an edited copy can be passed back with --catalog DIR.");
        command.Add(Sub("models", "Model architectures from their public config.json files.", CatalogTable.Models));
        command.Add(Sub("gpus", "GPU datasheet numbers (dense peaks) and the performance model's calibration constants.", CatalogTable.Gpus));
        command.Add(Sub("instances", "Cloud instances with their GPUs, prices (as quoted, per instance or per GPU) and capture dates.", CatalogTable.Instances));
        return command;
    }

    private static Command Sub(string name, string description, Func<HardwareCatalog, string?, CatalogTable> select)
    {
        var provider = new Option<string?>("--provider") { Description = "Only instances of this provider (aws, gcp, azure, lambda, coreweave, nebius).", HelpName = "P" };
        var catalog = CommonOptions.Catalog();
        var output = CommonOptions.Out("Also write the list to FILE: .csv (catalog format) or .json.");
        var command = new Command(name, description) { catalog, output };
        if (name == "instances")
        {
            command.Add(provider);
        }

        command.SetAction(parse =>
        {
            HardwareCatalog loaded = CommonOptions.LoadCatalog(parse.GetValue(catalog));
            string? providerName = parse.GetValue(provider);
            if (providerName is not null && !loaded.Providers.Contains(providerName.ToLowerInvariant()))
            {
                throw new Validation.InputValidationException([new("--provider", $"unknown provider '{providerName}'. Use one of: {string.Join(", ", loaded.Providers)}.")]);
            }

            CatalogTable table = select(loaded, providerName?.ToLowerInvariant());
            TextWriter writer = parse.InvocationConfiguration.Output;
            Tables.Write(writer, null, table.DisplayHeaders, table.DisplayRows, table.RightAligned);
            string? path = parse.GetValue(output);
            if (path is not null)
            {
                CommonOptions.WriteFile(path, Path.GetExtension(path).ToLowerInvariant() switch
                {
                    ".csv" => table.Csv(),
                    ".json" => table.Json(),
                    _ => throw new Validation.InputValidationException([new("--out", $"'{path}' must end in .csv or .json.")]),
                });
            }

            return (int)ExitCode.Ok;
        });
        return command;
    }
}

/// <summary>One catalog list: a display table and the data columns (the catalog CSV format).</summary>
internal sealed record CatalogTable(
    IReadOnlyList<string> DisplayHeaders,
    IReadOnlyList<IReadOnlyList<string>> DisplayRows,
    IReadOnlySet<int> RightAligned,
    IReadOnlyList<string> DataColumns,
    IReadOnlyList<IReadOnlyList<string>> DataRows)
{
    public string Csv()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(writer);
        csv.WriteRow(DataColumns);
        foreach (IReadOnlyList<string> row in DataRows)
        {
            csv.WriteRow(row);
        }

        return writer.ToString();
    }

    public string Json() => JsonText.Write(w =>
    {
        w.WriteStartArray();
        foreach (IReadOnlyList<string> row in DataRows)
        {
            w.WriteStartObject();
            for (int i = 0; i < DataColumns.Count; i++)
            {
                string cell = row[i];
                if (cell.Length == 0)
                {
                    w.WriteNull(DataColumns[i]);
                }
                else if (cell is "true" or "false")
                {
                    w.WriteBoolean(DataColumns[i], cell == "true");
                }
                else if (double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && !DataColumns[i].EndsWith("id", StringComparison.Ordinal))
                {
                    w.WriteNumber(DataColumns[i], number);
                }
                else
                {
                    w.WriteString(DataColumns[i], cell);
                }
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public static CatalogTable Models(HardwareCatalog catalog, string? provider) => new(
        ["id", "layers", "hidden", "ffn", "heads", "kv heads", "head dim", "vocab", "experts", "params (B)", "context"],
        [.. catalog.Models.Select(m => (IReadOnlyList<string>)[m.Id, I(m.Layers), I(m.HiddenSize), I(m.FfnSize), I(m.AttentionHeads), I(m.KvHeads), I(m.HeadDim), I(m.VocabSize), m.IsMixtureOfExperts ? $"{I(m.ActiveExperts)}/{I(m.Experts)}" : "-", F(m.TotalParameters / 1e9, 2), I(m.MaxContext)])],
        new HashSet<int> { 1, 2, 3, 4, 5, 6, 7, 9, 10 },
        CatalogLoader.ModelColumns,
        [.. catalog.Models.Select(m => (IReadOnlyList<string>)[m.Id, m.Name, I(m.Layers), I(m.HiddenSize), I(m.FfnSize), m.Mlp == MlpKind.Gated ? "gated" : "plain", I(m.AttentionHeads), I(m.KvHeads), I(m.HeadDim), I(m.VocabSize), B(m.TiedEmbeddings), I(m.Experts), I(m.ActiveExperts), m.OtherParameters.ToString(CultureInfo.InvariantCulture), I(m.MaxContext), m.Source, D(m.Captured)])]);

    public static CatalogTable Gpus(HardwareCatalog catalog, string? provider) => new(
        ["id", "memory (GiB)", "HBM (GB/s)", "fp16 TFLOPS", "fp8", "int8", "int4", "fp4", "NVLink (GB/s)", "PCIe", "host link (GB/s)", "compute eff", "memory eff", "step (ms)", "collective step (µs)", "link eff", "per sequence (µs)"],
        [.. catalog.Gpus.Select(g => (IReadOnlyList<string>)[g.Id, F(g.Memory.Gibibytes, 0), F(g.MemoryBandwidth.GigabytesPerSecond, 0), F(g.Fp16Peak.Teraflops, 1), P(g.Fp8Peak), P(g.Int8Peak), P(g.Int4Peak), P(g.Fp4Peak), F(g.NvlinkBandwidth.GigabytesPerSecond, 0), $"gen{I(g.PcieGeneration)} x{I(g.PcieLanes)}", $"{F(g.HostToDeviceBandwidth.GigabytesPerSecond, 1)}/{F(g.DeviceToHostBandwidth.GigabytesPerSecond, 1)}", F(g.Calibration.ComputeEfficiency, 2), F(g.Calibration.MemoryEfficiency, 2), F(g.Calibration.StepOverhead.Milliseconds, 2), F(g.Calibration.CollectiveLatency.Value * 1e6, 1), F(g.Calibration.LinkEfficiency, 2), F(g.Calibration.SequenceOverhead.Value * 1e6, 2)])],
        new HashSet<int> { 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16 },
        CatalogLoader.GpuColumns,
        [.. catalog.Gpus.Select(g => (IReadOnlyList<string>)[g.Id, g.Name, g.Vendor, g.Architecture, G(g.Memory.Gibibytes), G(g.MemoryBandwidth.GigabytesPerSecond), G(g.Fp16Peak.Teraflops), G(g.Fp8Peak?.Teraflops), G(g.Int8Peak?.Teraflops), G(g.Int4Peak?.Teraflops), G(g.Fp4Peak?.Teraflops), G(g.NvlinkBandwidth.GigabytesPerSecond), I(g.PcieGeneration), I(g.PcieLanes), g.Source, D(g.Captured)])]);

    public static CatalogTable Instances(HardwareCatalog catalog, string? provider)
    {
        var instances = catalog.Instances.Where(i => provider is null || i.Provider == provider).ToList();
        return new(
            ["provider", "instance", "gpu", "gpus", "$/h instance", "$/h per GPU", "quoted per", "interconnect", "host (GiB)", "network (Gbit/s)", "captured"],
            [.. instances.Select(i => (IReadOnlyList<string>)[i.Provider, i.Name, i.Gpu.Id, I(i.GpuCount), F(i.PricePerInstance.Value, 3), F(i.PricePerGpu.Value, 3), i.PriceBasis == PriceBasis.Gpu ? "gpu" : "instance", i.Interconnect == Interconnect.Nvlink ? "nvlink" : "pcie", i.HostMemory is { } h ? F(h.Gibibytes, 0) : "-", i.NetworkBandwidth is { } n ? G(n.GigabytesPerSecond * 8) : "-", D(i.Captured)])],
            new HashSet<int> { 3, 4, 5, 8, 9 },
            CatalogLoader.InstanceColumns,
            [.. instances.Select(i => (IReadOnlyList<string>)[i.Provider, i.Name, i.Gpu.Id, I(i.GpuCount), G(i.QuotedPrice.Value), i.PriceBasis == PriceBasis.Gpu ? "gpu" : "instance", i.Interconnect == Interconnect.Nvlink ? "nvlink" : "pcie", i.Vcpus is { } v ? I(v) : string.Empty, G(i.HostMemory?.Gibibytes), G(i.NetworkBandwidth?.GigabytesPerSecond * 8), i.Region, i.Source, D(i.Captured)])]);
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString("F" + I(decimals), CultureInfo.InvariantCulture);

    private static string G(double? value) => value is null ? string.Empty : CsvWriter.Number(value.Value, 6);

    private static string P(Units.FlopsPerSecond? peak) => peak is null ? "-" : F(peak.Value.Teraflops, 0);

    private static string B(bool value) => value ? "true" : "false";

    private static string D(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
