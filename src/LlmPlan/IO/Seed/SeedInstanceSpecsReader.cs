using LlmPlan.Catalog;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.IO.Seed;

/// <summary>Reads the seed's <c>cloud_instances_specs.csv</c> into cloud instances.</summary>
/// <remarks>Follows the seed's parsing (spec §2.4) with its pricing bug fixed. The price is every number in
/// <c>Price per Hour USD</c>: one number is the price, two or more give the mean of the first two (<c>$140-160</c> → 150),
/// and a string with no number (<c>Contact for pricing</c>, blank) drops the row. A price string that says "per GPU" is
/// a per-GPU price (<see cref="PriceBasis.Gpu"/>); the seed took it as the instance price, 8× too cheap for an 8-GPU
/// node. The GPU is <c>GPU Model</c> with <c>vram_gb_per_gpu</c> (else <c>GPU Memory per GPU</c>) mapped to a catalog
/// GPU; rows whose GPU the catalog lacks (K80, Radeon Pro V520, GB200) cannot be planned and are dropped. When two
/// rows have the same instance name the first is kept (the seed's file lists some AWS rows twice).</remarks>
public static class SeedInstanceSpecsReader
{
    /// <summary>The columns the reader needs; the file's other columns are optional.</summary>
    public static readonly IReadOnlyList<string> RequiredColumns =
    [
        "Cloud Provider", "Instance Name", "GPU Model", "GPU Count", "Internal GPU Interconnect Bandwidth", "External Network Bandwidth",
        "Price per Hour USD",
    ];

    /// <summary>The network bandwidth of the qualitative words, in Gbit/s (the seed's network generator, §2.3).</summary>
    private static readonly IReadOnlyDictionary<string, double> QualitativeGigabits = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
    {
        ["High"] = 25,
        ["Moderate"] = 10,
        ["Low"] = 5,
    };

    /// <summary>Reads an instance table.</summary>
    /// <param name="path">The path of <c>cloud_instances_specs.csv</c>.</param>
    /// <param name="catalog">The catalog whose GPUs the rows are mapped to.</param>
    /// <param name="errors">Collects every error found.</param>
    /// <returns>The instances that can be planned, in file order; empty when the file is missing or malformed.</returns>
    public static IReadOnlyList<CloudInstance> Read(string path, HardwareCatalog catalog, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(errors);
        CsvTable? table = CsvTable.Read(path, errors);
        if (table is null || table.Header.Count == 0 || !table.RequireColumns(RequiredColumns, errors))
        {
            return [];
        }

        var instances = new List<CloudInstance>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (CsvRow row in table.Rows)
        {
            CloudInstance? instance = ReadRow(row, catalog, errors);
            if (instance is not null && names.Add(instance.Name))
            {
                instances.Add(instance);
            }
        }

        return instances;
    }

    private static CloudInstance? ReadRow(CsvRow row, HardwareCatalog catalog, InputErrors errors)
    {
        string priceText = row.Text("Price per Hour USD");
        IReadOnlyList<double> prices = ValueParsing.NumbersIn(priceText);
        string name = row.Text("Instance Name");
        double? memory = FirstNumber(row.Text("vram_gb_per_gpu")) ?? FirstNumber(row.Text("GPU Memory per GPU"));
        bool pcieVariant = name.Contains("PCIe", StringComparison.OrdinalIgnoreCase);
        GpuSpec? gpu = SeedGpuMatcher.Match(row.Text("GPU Model"), memory, pcieVariant, catalog, out _);
        if (prices.Count == 0 || gpu is null)
        {
            return null;
        }

        int before = errors.All.Count;
        string? provider = row.RequiredText("Cloud Provider", errors);
        row.RequiredText("Instance Name", errors);
        int? gpuCount = GpuCount(row, errors);
        if (errors.All.Count > before)
        {
            return null;
        }

        double price = prices.Count >= 2 ? (prices[0] + prices[1]) / 2 : prices[0];
        string internalLink = row.Text("Internal GPU Interconnect Bandwidth");
        bool nvlink = internalLink.Contains("NVLink", StringComparison.OrdinalIgnoreCase)
            || internalLink.Contains("Infinity Fabric", StringComparison.OrdinalIgnoreCase);
        double? vcpus = FirstNumber(row.Text("vCPUs"));
        double? hostMemory = FirstNumber(row.Text("Host Memory (GiB)"));
        double? networkGigabits = NetworkGigabits(row.Text("External Network Bandwidth"));
        return new CloudInstance
        {
            Provider = provider!.ToLowerInvariant(),
            Name = name,
            Gpu = gpu,
            GpuCount = gpuCount!.Value,
            QuotedPrice = DollarsPerHour.FromDollarsPerHour(price),
            PriceBasis = priceText.Contains("per GPU", StringComparison.OrdinalIgnoreCase) ? PriceBasis.Gpu : PriceBasis.Instance,
            Interconnect = nvlink ? Interconnect.Nvlink : Interconnect.Pcie,
            Vcpus = vcpus is null ? null : (int)vcpus.Value,
            HostMemory = hostMemory is null ? null : Bytes.FromGibibytes(hostMemory.Value),
            NetworkBandwidth = networkGigabits is null ? null : BytesPerSecond.FromGigabytesPerSecond(networkGigabits.Value / 8.0),
            Region = string.Empty,
            Source = Invariant.Text($"{row.File} line {row.Line}"),
            Captured = SeedFiles.HeadDate,
        };
    }

    /// <summary><c>num_gpus</c> when given, else the leading whole number of <c>GPU Count</c> (<c>1-8</c> → 1).</summary>
    private static int? GpuCount(CsvRow row, InputErrors errors)
    {
        if (row.Text("num_gpus").Length > 0)
        {
            return row.Integer("num_gpus", errors, 1);
        }

        string text = row.Text("GPU Count");
        IReadOnlyList<double> numbers = ValueParsing.NumbersIn(text);
        if (numbers.Count == 0 || numbers[0] < 1 || numbers[0] != Math.Floor(numbers[0]) || numbers[0] > int.MaxValue)
        {
            errors.Add(row.Where("GPU Count"), $"'{text}' has no GPU count. Write the number of GPUs, or fill in num_gpus.");
            return null;
        }

        return (int)numbers[0];
    }

    /// <summary>The first number in the text (<c>3200 Gbps IB</c>, <c>Up to 25 Gigabit</c>), else a qualitative word
    /// (<c>High</c>, <c>Moderate</c>, <c>Low</c>), else null (<c>Variable</c>, blank), in Gbit/s.</summary>
    private static double? NetworkGigabits(string text) =>
        FirstNumber(text) ?? (QualitativeGigabits.TryGetValue(text.Trim(), out double gigabits) ? gigabits : null);

    private static double? FirstNumber(string text)
    {
        IReadOnlyList<double> numbers = ValueParsing.NumbersIn(text);
        return numbers.Count > 0 ? numbers[0] : null;
    }
}
