using System.Reflection;
using LlmPlan.IO;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Catalog;

/// <summary>Loads the built-in catalog (the embedded <c>data/*.csv</c>) and merges a user's catalog folder over it.</summary>
/// <remarks>A user folder may hold any of <c>models.csv</c>, <c>gpus.csv</c>, <c>gpu-calibration.csv</c> and
/// <c>instances.csv</c> with the built-in headers; a row whose id matches a built-in row replaces it, other rows are
/// added. Every error of every file is reported together.</remarks>
public static class CatalogLoader
{
    /// <summary>The file holding model architectures.</summary>
    public const string ModelsFile = "models.csv";

    /// <summary>The file holding GPU datasheet numbers.</summary>
    public const string GpusFile = "gpus.csv";

    /// <summary>The file holding the per-GPU calibration constants.</summary>
    public const string CalibrationFile = "gpu-calibration.csv";

    /// <summary>The file holding cloud instances.</summary>
    public const string InstancesFile = "instances.csv";

    /// <summary>The columns of <see cref="ModelsFile"/>.</summary>
    public static readonly IReadOnlyList<string> ModelColumns =
    [
        "id", "name", "layers", "hidden_size", "ffn_size", "mlp", "attention_heads", "kv_heads", "head_dim", "vocab_size",
        "tied_embeddings", "experts", "active_experts", "other_parameters", "max_context", "source", "captured",
    ];

    /// <summary>The columns of <see cref="GpusFile"/>.</summary>
    public static readonly IReadOnlyList<string> GpuColumns =
    [
        "id", "name", "vendor", "architecture", "memory_gib", "memory_bandwidth_gbps", "fp16_tflops", "fp8_tflops", "int8_tops",
        "int4_tops", "fp4_tflops", "nvlink_gbps", "pcie_gen", "pcie_lanes", "source", "captured",
    ];

    /// <summary>The columns of <see cref="CalibrationFile"/> (optional ones too: <c>link_efficiency</c>, blank or absent
    /// for 1; <c>sequence_overhead_us</c>, blank or absent for 0; <c>host_to_device_gbps</c> and
    /// <c>device_to_host_gbps</c>, measured pinned-copy rates; blank or absent derives them from the PCIe link).</summary>
    public static readonly IReadOnlyList<string> CalibrationColumns =
    [
        "gpu", "compute_efficiency", "memory_efficiency", "step_overhead_ms", "collective_latency_us", "source",
    ];

    /// <summary>The columns of <see cref="InstancesFile"/>.</summary>
    public static readonly IReadOnlyList<string> InstanceColumns =
    [
        "provider", "instance", "gpu", "gpu_count", "price_usd_per_hour", "price_basis", "interconnect", "vcpus", "host_memory_gib",
        "network_gbps", "region", "source", "captured",
    ];

    private static readonly Lazy<HardwareCatalog> BuiltInCatalog = new(() => Load(null));

    /// <summary>Gets the built-in catalog (loaded once).</summary>
    public static HardwareCatalog BuiltIn => BuiltInCatalog.Value;

    /// <summary>Loads the built-in catalog, merged with a user folder when given.</summary>
    /// <param name="userDirectory">A folder with catalog CSVs, or null.</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="InputValidationException">A file is malformed; every error is listed.</exception>
    public static HardwareCatalog Load(string? userDirectory)
    {
        var errors = new InputErrors();
        if (userDirectory is not null && !Directory.Exists(userDirectory))
        {
            errors.Add($"--catalog {userDirectory}", "the folder does not exist. Give a folder holding models.csv, gpus.csv, gpu-calibration.csv or instances.csv.");
            errors.ThrowIfAny();
        }

        List<CsvTable> Tables(string file, IReadOnlyList<string> columns)
        {
            var tables = new List<CsvTable> { CsvTable.Parse(file, ReadEmbedded(file), errors) };
            string? userPath = userDirectory is null ? null : Path.Combine(userDirectory, file);
            if (userPath is not null && File.Exists(userPath))
            {
                tables.Add(CsvTable.Parse(userPath, File.ReadAllText(userPath), errors));
            }

            return [.. tables.Where(t => t.RequireColumns(columns, errors))];
        }

        var models = Merge(Tables(ModelsFile, ModelColumns), "id", row => ReadModel(row, errors), errors);
        var calibrations = Merge(Tables(CalibrationFile, CalibrationColumns), "gpu", row => ReadCalibration(row, errors), errors);
        var gpus = Merge(Tables(GpusFile, GpuColumns), "id", row => ReadGpu(row, calibrations, errors), errors);
        var instances = Merge(Tables(InstancesFile, InstanceColumns), "instance", row => ReadInstance(row, gpus, errors), errors);
        errors.ThrowIfAny();
        return new HardwareCatalog
        {
            Models = [.. models.Values],
            Gpus = [.. gpus.Values],
            Instances = [.. instances.Values],
        };
    }

    private static string ReadEmbedded(string file)
    {
        Assembly assembly = typeof(CatalogLoader).Assembly;
        using Stream stream = assembly.GetManifestResourceStream("LlmPlan.Data." + file)
            ?? throw new InvalidOperationException($"The built-in catalog file {file} is not embedded; the build is broken.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Reads the rows of the built-in table and then of the user's; a user row replaces the built-in row with the
    /// same key. The result keeps first-seen order, so output is stable.</summary>
    private static OrderedDictionary<string, T> Merge<T>(List<CsvTable> tables, string keyColumn, Func<CsvRow, T?> read, InputErrors errors)
        where T : class
    {
        var result = new OrderedDictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        for (int t = 0; t < tables.Count; t++)
        {
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (CsvRow row in tables[t].Rows)
            {
                string key = row.Text(keyColumn);
                if (key.Length > 0 && seen.TryGetValue(key, out int firstLine))
                {
                    errors.Add(row.Where(keyColumn), $"'{key}' is listed twice (first on line {firstLine}). Keep one row per {keyColumn}.");
                    continue;
                }

                seen[key] = row.Line;
                T? value = read(row);
                if (value is not null)
                {
                    result[key] = value;
                }
            }
        }

        return result;
    }

    private static ModelArchitecture? ReadModel(CsvRow row, InputErrors errors)
    {
        int before = errors.All.Count;
        string? id = row.RequiredText("id", errors);
        string? name = row.RequiredText("name", errors);
        int? layers = row.Integer("layers", errors, 1);
        int? hidden = row.Integer("hidden_size", errors, 1);
        int? ffn = row.Integer("ffn_size", errors, 1);
        MlpKind? mlp = row.Choice("mlp", [("gated", MlpKind.Gated, "three matrices, SwiGLU"), ("plain", MlpKind.Plain, "two matrices")], "an MLP kind", errors);
        int? heads = row.Integer("attention_heads", errors, 1);
        int? kvHeads = row.Integer("kv_heads", errors, 1);
        int? headDim = row.Integer("head_dim", errors, 1);
        int? vocab = row.Integer("vocab_size", errors, 1);
        bool? tied = row.Boolean("tied_embeddings", errors);
        int? experts = row.Integer("experts", errors, 1);
        int? active = row.Integer("active_experts", errors, 1);
        double? other = row.Number("other_parameters", errors, 0);
        int? maxContext = row.Integer("max_context", errors, 1);
        string? source = row.RequiredText("source", errors);
        DateOnly? captured = row.Date("captured", errors);
        if (heads is not null && kvHeads is not null && heads % kvHeads != 0)
        {
            errors.Add(row.Where("kv_heads"), $"{kvHeads} does not divide attention_heads {heads}; grouped-query attention needs a whole number of query heads per KV head.");
        }

        if (experts is not null && active is not null && active > experts)
        {
            errors.Add(row.Where("active_experts"), $"{active} is more than experts ({experts}). A token cannot use more experts than the layer has.");
        }

        if (errors.All.Count > before)
        {
            return null;
        }

        return new ModelArchitecture
        {
            Id = id!, Name = name!, Layers = layers!.Value, HiddenSize = hidden!.Value, FfnSize = ffn!.Value, Mlp = mlp!.Value,
            AttentionHeads = heads!.Value, KvHeads = kvHeads!.Value, HeadDim = headDim!.Value, VocabSize = vocab!.Value,
            TiedEmbeddings = tied!.Value, Experts = experts!.Value, ActiveExperts = active!.Value, OtherParameters = (long)other!.Value,
            MaxContext = maxContext!.Value, Source = source!, Captured = captured!.Value,
        };
    }

    private static GpuCalibration? ReadCalibration(CsvRow row, InputErrors errors)
    {
        int before = errors.All.Count;
        row.RequiredText("gpu", errors);
        double? compute = Fraction(row, "compute_efficiency", errors);
        double? memory = Fraction(row, "memory_efficiency", errors);
        double? overheadMs = row.Number("step_overhead_ms", errors, 0);
        double? latencyUs = row.Number("collective_latency_us", errors, 0);
        double? link = row.Text("link_efficiency").Length == 0 ? 1.0 : Fraction(row, "link_efficiency", errors);
        double perSequenceUs = row.OptionalNumber("sequence_overhead_us", errors, 0) ?? 0;
        double? hostToDevice = row.OptionalNumber("host_to_device_gbps", errors, 0, exclusiveMinimum: true);
        double? deviceToHost = row.OptionalNumber("device_to_host_gbps", errors, 0, exclusiveMinimum: true);
        string? source = row.RequiredText("source", errors);
        return errors.All.Count > before
            ? null
            : new GpuCalibration(compute!.Value, memory!.Value, Seconds.FromMilliseconds(overheadMs!.Value), Seconds.FromMicroseconds(latencyUs!.Value), source!)
            {
                LinkEfficiency = link!.Value,
                SequenceOverhead = Seconds.FromMicroseconds(perSequenceUs),
                HostToDevice = hostToDevice is double h ? BytesPerSecond.FromGigabytesPerSecond(h) : null,
                DeviceToHost = deviceToHost is double d ? BytesPerSecond.FromGigabytesPerSecond(d) : null,
            };
    }

    private static double? Fraction(CsvRow row, string column, InputErrors errors)
    {
        double? value = row.Number(column, errors, 0, exclusiveMinimum: true);
        if (value > 1)
        {
            errors.Add(row.Where(column), $"{ValueParsing.Format(value.Value)} is out of range; an efficiency is a fraction in (0, 1].");
            return null;
        }

        return value;
    }

    private static GpuSpec? ReadGpu(CsvRow row, OrderedDictionary<string, GpuCalibration> calibrations, InputErrors errors)
    {
        int before = errors.All.Count;
        string? id = row.RequiredText("id", errors);
        string? name = row.RequiredText("name", errors);
        string? vendor = row.RequiredText("vendor", errors);
        string? architecture = row.RequiredText("architecture", errors);
        double? memory = row.Number("memory_gib", errors, 0, exclusiveMinimum: true);
        double? bandwidth = row.Number("memory_bandwidth_gbps", errors, 0, exclusiveMinimum: true);
        double? fp16 = row.Number("fp16_tflops", errors, 0, exclusiveMinimum: true);
        double? fp8 = row.OptionalNumber("fp8_tflops", errors, 0, exclusiveMinimum: true);
        double? int8 = row.OptionalNumber("int8_tops", errors, 0, exclusiveMinimum: true);
        double? int4 = row.OptionalNumber("int4_tops", errors, 0, exclusiveMinimum: true);
        double? fp4 = row.OptionalNumber("fp4_tflops", errors, 0, exclusiveMinimum: true);
        double? nvlink = row.Number("nvlink_gbps", errors, 0);
        int? pcieGen = row.Integer("pcie_gen", errors, 1);
        int? pcieLanes = row.Integer("pcie_lanes", errors, 1);
        string? source = row.RequiredText("source", errors);
        DateOnly? captured = row.Date("captured", errors);
        GpuCalibration? calibration = null;
        if (id is not null)
        {
            if (calibrations.TryGetValue(id, out GpuCalibration? found))
            {
                calibration = found;
            }
            else
            {
                errors.Add(row.Where("id"), $"GPU '{id}' has no row in {CalibrationFile}. Add one (llmplan calibrate writes it, or copy the defaults of its architecture).");
            }
        }

        if (errors.All.Count > before)
        {
            return null;
        }

        static FlopsPerSecond? Peak(double? teraflops) => teraflops is null ? null : FlopsPerSecond.FromTeraflops(teraflops.Value);
        return new GpuSpec
        {
            Id = id!, Name = name!, Vendor = vendor!, Architecture = architecture!, Memory = Bytes.FromGibibytes(memory!.Value),
            MemoryBandwidth = BytesPerSecond.FromGigabytesPerSecond(bandwidth!.Value), Fp16Peak = FlopsPerSecond.FromTeraflops(fp16!.Value),
            Fp8Peak = Peak(fp8), Int8Peak = Peak(int8), Int4Peak = Peak(int4), Fp4Peak = Peak(fp4),
            NvlinkBandwidth = BytesPerSecond.FromGigabytesPerSecond(nvlink!.Value), PcieGeneration = pcieGen!.Value, PcieLanes = pcieLanes!.Value,
            Calibration = calibration!, Source = source!, Captured = captured!.Value,
        };
    }

    private static CloudInstance? ReadInstance(CsvRow row, OrderedDictionary<string, GpuSpec> gpus, InputErrors errors)
    {
        int before = errors.All.Count;
        string? provider = row.RequiredText("provider", errors);
        string? name = row.RequiredText("instance", errors);
        string gpuId = row.Text("gpu");
        GpuSpec? gpu = gpus.TryGetValue(gpuId, out GpuSpec? found) ? found : null;
        if (gpu is null)
        {
            errors.Add(row.Where("gpu"), $"'{gpuId}' is not a GPU id of {GpusFile}. Use one of its ids (llmplan catalog gpus) or add the GPU.");
        }

        int? count = row.Integer("gpu_count", errors, 1);
        double? price = row.Number("price_usd_per_hour", errors, 0, exclusiveMinimum: true);
        PriceBasis? basis = row.Choice(
            "price_basis", [("instance", PriceBasis.Instance, "the price is for the whole instance"), ("gpu", PriceBasis.Gpu, "the price is per GPU-hour")], "a price basis", errors);
        Interconnect? interconnect = row.Choice(
            "interconnect", [("nvlink", Interconnect.Nvlink, "NVLink, NVSwitch or Infinity Fabric"), ("pcie", Interconnect.Pcie, "PCIe only")], "an interconnect", errors);
        double? vcpus = row.OptionalNumber("vcpus", errors, 1);
        double? hostMemory = row.OptionalNumber("host_memory_gib", errors, 0, exclusiveMinimum: true);
        double? network = row.OptionalNumber("network_gbps", errors, 0, exclusiveMinimum: true);
        string? source = row.RequiredText("source", errors);
        DateOnly? captured = row.Date("captured", errors);
        if (errors.All.Count > before)
        {
            return null;
        }

        return new CloudInstance
        {
            Provider = provider!.ToLowerInvariant(), Name = name!, Gpu = gpu!, GpuCount = count!.Value,
            QuotedPrice = DollarsPerHour.FromDollarsPerHour(price!.Value), PriceBasis = basis!.Value, Interconnect = interconnect!.Value,
            Vcpus = vcpus is null ? null : (int)vcpus.Value, HostMemory = hostMemory is null ? null : Bytes.FromGibibytes(hostMemory.Value),
            NetworkBandwidth = network is null ? null : BytesPerSecond.FromGigabytesPerSecond(network.Value / 8.0),
            Region = row.Text("region"), Source = source!, Captured = captured!.Value,
        };
    }

}
