using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.IO.Seed;

/// <summary>Reads the seed's <c>gpu_pool.csv</c> in either of its forms, told apart by the header.</summary>
/// <remarks>
/// <para>HEAD, per instance: <c>instance_name,count[,dollar_per_hour]</c>. Each name is looked up in the catalog, then in
/// the rows of a <c>cloud_instances_specs.csv</c>; <c>dollar_per_hour</c> overrides the price of the whole instance.</para>
/// <para>Era A, per GPU type: <c>gpu_type,count,memory_gb[,dollar_per_hour]</c>. Each row becomes a synthetic instance
/// type named by the type, a node of up to 8 GPUs of the catalog GPU that the type and memory name (see spec §2.2),
/// times as many nodes as make up <c>count</c>; it is billed per GPU used, as the seed billed these pools. The price is
/// per GPU: the <c>dollar_per_hour</c> column, else the cheapest per-GPU price among the catalog instances with exactly
/// that GPU, of the provider when it rents it, else of any provider (the row's source says which). The seed matched GPU
/// names by substring, so its A10 rows were priced like A100s; here only the same GPU counts.</para>
/// </remarks>
public static class SeedPoolReader
{
    /// <summary>The columns of a per-instance (HEAD) pool; <c>dollar_per_hour</c> is optional.</summary>
    public static readonly IReadOnlyList<string> InstanceColumns = ["instance_name", "count"];

    /// <summary>The columns of a per-GPU-type (Era A) pool; <c>dollar_per_hour</c> is optional.</summary>
    public static readonly IReadOnlyList<string> GpuTypeColumns = ["gpu_type", "count", "memory_gb"];

    private const string PriceColumn = "dollar_per_hour";

    /// <summary>Reads a pool file.</summary>
    /// <param name="path">The path of <c>gpu_pool.csv</c>.</param>
    /// <param name="catalog">The catalog holding instances and GPUs.</param>
    /// <param name="extraInstances">Instances from the seed's instance table, looked up after the catalog.</param>
    /// <param name="provider">The provider whose prices an Era A row without a price gets (e.g. <c>aws</c>).</param>
    /// <param name="errors">Collects every error found.</param>
    /// <returns>The pool in file order, or null when the file is missing or has any error.</returns>
    public static InstancePool? Read(string path, HardwareCatalog catalog, IReadOnlyList<CloudInstance> extraInstances, string provider, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(extraInstances);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(errors);
        CsvTable? table = CsvTable.Read(path, errors);
        if (table is null || table.Header.Count == 0)
        {
            return null;
        }

        bool perInstance = table.IndexOf("instance_name") >= 0;
        if (!perInstance && table.IndexOf("gpu_type") < 0)
        {
            errors.Add($"{table.Name} header", "the header must be instance_name,count[,dollar_per_hour] (a pool of cloud instances) or gpu_type,count,memory_gb[,dollar_per_hour] (a pool of GPUs by type).");
            return null;
        }

        string nameColumn = perInstance ? "instance_name" : "gpu_type";
        if (!table.RequireColumns(perInstance ? InstanceColumns : GpuTypeColumns, errors))
        {
            return null;
        }

        int before = errors.All.Count;
        HardwareCatalog lookup = catalog with
        {
            Instances = [.. catalog.Instances, .. extraInstances.Where(i => catalog.FindInstance(i.Name) is null)],
        };
        var firstLines = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var entries = new List<PoolEntry>();
        foreach (CsvRow row in table.Rows)
        {
            string? name = row.RequiredText(nameColumn, errors);
            if (name is not null && firstLines.TryGetValue(name, out int firstLine))
            {
                errors.Add(row.Where(nameColumn), Invariant.Text($"'{name}' is listed twice (first on line {firstLine}). Keep one row per {nameColumn} and add up the counts."));
                continue;
            }

            if (name is not null)
            {
                firstLines[name] = row.Line;
            }

            int? count = row.Integer("count", errors, 1);
            double? price = row.OptionalNumber(PriceColumn, errors, 0, exclusiveMinimum: true);
            if (name is null)
            {
                continue;
            }

            PoolEntry? entry = perInstance
                ? InstanceEntry(row, name, count, price, lookup, errors)
                : GpuTypeEntry(row, name, count, price, catalog, provider, errors);
            if (entry is not null)
            {
                entries.Add(entry);
            }
        }

        if (table.Rows.Count == 0)
        {
            errors.Add(table.Name, $"the pool has no rows. Add one row per {(perInstance ? "instance type" : "GPU type")} under the header.");
        }

        return errors.All.Count > before ? null : new InstancePool(entries);
    }

    private static PoolEntry? InstanceEntry(CsvRow row, string name, int? count, double? price, HardwareCatalog lookup, InputErrors errors)
    {
        CloudInstance? instance = lookup.RequireInstance(name, row.Where("instance_name"), errors);
        if (instance is null || count is null)
        {
            return null;
        }

        if (price is not null)
        {
            instance = instance with
            {
                QuotedPrice = DollarsPerHour.FromDollarsPerHour(price.Value),
                PriceBasis = PriceBasis.Instance,
                Source = Invariant.Text($"{instance.Source}; price per instance-hour overridden by {row.File} line {row.Line}"),
            };
        }

        return new PoolEntry(instance, count.Value);
    }

    private static PoolEntry? GpuTypeEntry(
        CsvRow row, string gpuType, int? count, double? price, HardwareCatalog catalog, string provider, InputErrors errors)
    {
        double? memory = row.Number("memory_gb", errors, 0, exclusiveMinimum: true);
        if (memory is null)
        {
            return null;
        }

        GpuSpec? gpu = SeedGpuMatcher.Match(gpuType, memory, preferPcie: false, catalog, out string problem);
        if (gpu is null)
        {
            errors.Add(row.Where("gpu_type"), problem);
            return null;
        }

        string source = Invariant.Text($"{row.File} line {row.Line}");
        DateOnly captured = SeedFiles.HeadDate;
        if (price is null && row.Text(PriceColumn).Length == 0)
        {
            CloudInstance? cheapest = catalog.CheapestPerGpu(gpu, provider);
            if (cheapest is null)
            {
                errors.Add(row.Where(PriceColumn), Invariant.Text(
                    $"no price is known for {gpuType} ({gpu.Id}): no catalog instance of any provider has that GPU. Add a {PriceColumn} column with the price per GPU-hour (or an instance with it to a --catalog folder)."));
                return null;
            }

            price = cheapest.PricePerGpu.Value;
            source = Invariant.Text($"{source}; price per GPU of {cheapest.Provider} {cheapest.Name}");
            captured = cheapest.Captured;
        }

        if (count is null || price is null)
        {
            return null;
        }

        var instance = new CloudInstance
        {
            Provider = SeedFiles.Provider,
            Name = gpuType,
            Gpu = gpu,
            GpuCount = NodeSize(count.Value),
            BilledPerGpu = true,
            QuotedPrice = DollarsPerHour.FromDollarsPerHour(price.Value),
            PriceBasis = PriceBasis.Gpu,
            Interconnect = gpu.HasNvlink ? Interconnect.Nvlink : Interconnect.Pcie,
            Region = string.Empty,
            Source = source,
            Captured = captured,
        };
        return new PoolEntry(instance, count.Value / instance.GpuCount);
    }

    /// <summary>The GPUs of one node of an Era A pool row: the largest of 8, 4, 2, 1 that divides the count (the seed
    /// capped TP at 8 and split a row into TP partitions), so a row of 12 is three nodes of 4 and a row of 64 eight of 8.</summary>
    private static int NodeSize(int count) => new[] { 8, 4, 2, 1 }.First(size => count % size == 0);
}
