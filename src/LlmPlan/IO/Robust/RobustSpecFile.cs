using LlmPlan.Catalog;
using LlmPlan.Planning.Robust;
using LlmPlan.Validation;

namespace LlmPlan.IO.Robust;

/// <summary>Reads a robust spec (YAML): query classes, catalog models and GPU tiers, from which
/// <see cref="RobustInstanceBuilder"/> derives a <see cref="RobustInstance"/> (docs/formats.md, "Robust spec (YAML)";
/// <c>examples/robust/llama-spec.yaml</c>). Every problem is reported at once, each naming file, line and field.</summary>
public static class RobustSpecFile
{
    /// <summary>The top-level keys.</summary>
    public static readonly IReadOnlyList<string> Keys =
    [
        "name", "provider", "horizon_hours", "budget", "storage", "gamma", "deviation", "kv_residency_hours", "tp_degrees",
        "classes", "models", "tiers", "error_rates",
    ];

    /// <summary>The keys of a query class.</summary>
    public static readonly IReadOnlyList<string> ClassKeys =
    [
        "name", "input_tokens", "output_tokens", "rate_per_hour", "delay_limit_ms", "error_limit", "delay_penalty_per_ms",
        "unmet_penalty", "token_size_mb", "error_rates",
    ];

    /// <summary>The keys of a tier.</summary>
    public static readonly IReadOnlyList<string> TierKeys = ["gpu", "precision", "price_per_hour"];

    /// <summary>The default storage of one token, in MB: 4 bytes (a 32-bit token id; about 4 characters of UTF-8 text).</summary>
    public const double DefaultTokenSizeMegabytes = 4e-6;

    private static readonly string[] StorageKeys = ["capacity_gb", "price_per_gb_hour"];
    private static readonly string[] PairKeys = ["delay", "error"];
    private static readonly IReadOnlyList<string> RateKeys = [ErrorRateOverrides.BaseKey, .. RobustErrorTable.TierPrecisions.Select(p => p.Name())];

    /// <summary>Tells a robust spec (YAML) from a robust instance (JSON) by the file's extension.</summary>
    /// <param name="path">The file.</param>
    /// <returns>True for <c>.yaml</c> and <c>.yml</c> (any case).</returns>
    public static bool LooksLikeSpec(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path);
        return string.Equals(extension, ".yaml", StringComparison.OrdinalIgnoreCase) || string.Equals(extension, ".yml", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads a spec and builds its instance.</summary>
    /// <param name="path">The spec file.</param>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The instance.</returns>
    /// <exception cref="InputValidationException">Any problem with the spec, or with what it asks of the catalog and the
    /// performance model; all are listed.</exception>
    public static RobustInstance Read(string path, HardwareCatalog catalog) => RobustInstanceBuilder.Build(ReadSpec(path, catalog), catalog);

    /// <summary>Reads and checks a spec against the catalog, without deriving the instance.</summary>
    /// <param name="path">The spec file.</param>
    /// <param name="catalog">The catalog.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="InputValidationException">Any problem; all are listed.</exception>
    public static RobustSpec ReadSpec(string path, HardwareCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(catalog);
        var errors = new InputErrors();
        if (!File.Exists(path))
        {
            errors.Add(path, "the file does not exist. Check the path.");
            errors.ThrowIfAny();
        }

        string file = Path.GetFileName(path);
        SpecNode? root = SpecNode.Parse(file, File.ReadAllText(path), errors);
        errors.ThrowIfAny();
        if (!root!.IsMapping)
        {
            errors.Add(root.Where, "must be a mapping with classes, models, tiers and budget (see docs/formats.md, \"Robust spec (YAML)\").");
            errors.ThrowIfAny();
        }

        root.RejectUnknownKeys(Keys, errors);
        string name = root.Child("name")?.Text(errors) ?? Path.GetFileNameWithoutExtension(path);
        string? provider = root.Child("provider")?.Text(errors)?.ToLowerInvariant();
        if (provider is not null && !catalog.Providers.Contains(provider, StringComparer.Ordinal))
        {
            errors.Add(root.Child("provider")!.Where, $"unknown provider '{provider}'. Use one of: {string.Join(", ", catalog.Providers)}.");
        }

        double horizon = root.Child("horizon_hours")?.Number(errors, 0, exclusiveMinimum: true) ?? 12;
        double? budget = Required(root, "budget", errors, "(the most to spend over the horizon, in $)")?.Number(errors, 0);
        var (capacity, storagePrice) = Pair(root, "storage", StorageKeys, errors, 1000, 0.0001);
        var (gammaDelay, gammaError) = Pair(root, "gamma", PairKeys, errors, 1, 1);
        var (deviationDelay, deviationError) = Pair(root, "deviation", PairKeys, errors, 0.2, 0.2);
        double? residency = root.Child("kv_residency_hours")?.Number(errors, 0, exclusiveMinimum: true);
        IReadOnlyList<int> tp = TpDegrees(root, errors);

        var (models, modelWhere) = Models(root, catalog, errors);
        var tiers = Tiers(root, catalog, errors);
        var classes = Classes(root, models, errors);
        ErrorRateOverrides overrides = Overrides(root.Child("error_rates"), models, errors);
        errors.ThrowIfAny();
        return new RobustSpec
        {
            Name = name,
            Source = file,
            Provider = provider,
            HorizonHours = horizon,
            Budget = budget!.Value,
            StorageCapacityGigabytes = capacity,
            StoragePricePerGigabyteHour = storagePrice,
            GammaDelay = gammaDelay,
            GammaError = gammaError,
            DelayDeviation = deviationDelay,
            ErrorDeviation = deviationError,
            KvResidencyHours = residency,
            TpDegrees = tp,
            Classes = classes,
            Models = models,
            ModelWhere = modelWhere,
            Tiers = tiers,
            ErrorRates = overrides,
        };
    }

    /// <summary>Reads a mapping of two numbers ≥ 0 with defaults, e.g. <c>gamma: {delay: 1, error: 1}</c>.</summary>
    private static (double First, double Second) Pair(SpecNode root, string key, string[] keys, InputErrors errors, double first, double second)
    {
        SpecNode? node = root.Child(key);
        if (node is null)
        {
            return (first, second);
        }

        if (!node.IsMapping)
        {
            errors.Add(node.Where, $"must be a mapping with {string.Join(" and ", keys)}.");
            return (first, second);
        }

        node.RejectUnknownKeys(keys, errors);
        return (node.Child(keys[0])?.Number(errors, 0) ?? first, node.Child(keys[1])?.Number(errors, 0) ?? second);
    }

    private static IReadOnlyList<int> TpDegrees(SpecNode root, InputErrors errors)
    {
        SpecNode? node = root.Child("tp_degrees");
        if (node is null)
        {
            return RobustSpec.DefaultTpDegrees;
        }

        var items = node.Items(errors);
        List<int> degrees = [.. items.Select(n => n.Integer(errors, 1)).OfType<int>()];
        if (node.IsList && items.Count == 0)
        {
            errors.Add(node.Where, "lists no degree; give at least one, e.g. [1, 2, 4, 8].");
        }

        if (degrees.Distinct().Count() != degrees.Count)
        {
            errors.Add(node.Where, "lists a degree twice; list each once.");
        }

        return degrees.Count > 0 ? degrees : RobustSpec.DefaultTpDegrees;
    }

    private static (List<ModelArchitecture> Models, List<string> Where) Models(SpecNode root, HardwareCatalog catalog, InputErrors errors)
    {
        var models = new List<ModelArchitecture>();
        var where = new List<string>();
        foreach (SpecNode item in NonEmptyList(root, "models", "(a list of catalog model ids, e.g. [llama-3.1-8b, llama-3.1-70b])", errors))
        {
            if (item.Text(errors) is not string id || catalog.RequireModel(id, item.Where, errors) is not ModelArchitecture model)
            {
                continue;
            }

            if (models.Any(m => m.Id == model.Id))
            {
                errors.Add(item.Where, $"model '{model.Id}' is listed twice; list each model once.");
                continue;
            }

            models.Add(model);
            where.Add(item.Where);
        }

        return (models, where);
    }

    private static List<RobustTierSpec> Tiers(SpecNode root, HardwareCatalog catalog, InputErrors errors)
    {
        var tiers = new List<RobustTierSpec>();
        foreach (SpecNode item in NonEmptyList(root, "tiers", "(a list of {gpu, precision}, e.g. [{gpu: H100-SXM-80GB, precision: fp8}])", errors))
        {
            if (!item.IsMapping)
            {
                errors.Add(item.Where, $"must be a mapping with {string.Join(", ", TierKeys)}.");
                continue;
            }

            item.RejectUnknownKeys(TierKeys, errors);
            GpuSpec? gpu = Required(item, "gpu", errors)?.Text(errors) is string id ? catalog.RequireGpu(id, item.Child("gpu")!.Where, errors) : null;
            Precision? precision = TierPrecision(Required(item, "precision", errors, "(fp16, bf16, fp8, int8 or int4)"), errors);
            double? price = item.Child("price_per_hour")?.Number(errors, 0);
            if (gpu is null || precision is null)
            {
                continue;
            }

            var tier = new RobustTierSpec(gpu, precision.Value) { PricePerHour = price, Where = item.Where };
            if (tiers.Any(t => t.Name == tier.Name))
            {
                errors.Add(item.Where, $"tier '{tier.Name}' is listed twice; list each GPU and precision once.");
                continue;
            }

            tiers.Add(tier);
        }

        return tiers;
    }

    private static Precision? TierPrecision(SpecNode? node, InputErrors errors)
    {
        string? text = node?.Text(errors);
        if (text is null)
        {
            return null;
        }

        if (PrecisionFacts.TryParse(text, out Precision precision) && RobustErrorTable.TierPrecisions.Contains(precision))
        {
            return precision;
        }

        errors.Add(node!.Where, $"'{text}' is not a tier precision. Use one of: {string.Join(", ", RobustErrorTable.TierPrecisions.Select(p => p.Name()))}.");
        return null;
    }

    private static List<RobustClassSpec> Classes(SpecNode root, IReadOnlyList<ModelArchitecture> models, InputErrors errors)
    {
        var classes = new List<RobustClassSpec>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SpecNode item in NonEmptyList(root, "classes", "(a list of query classes with name, input_tokens, output_tokens, rate_per_hour, delay_limit_ms, error_limit and unmet_penalty)", errors))
        {
            if (!item.IsMapping)
            {
                errors.Add(item.Where, $"must be a mapping with {string.Join(", ", ClassKeys)}.");
                continue;
            }

            item.RejectUnknownKeys(ClassKeys, errors);
            int before = errors.All.Count;
            string name = Required(item, "name", errors)?.Text(errors) ?? string.Empty;
            int? input = Required(item, "input_tokens", errors)?.Integer(errors, 1);
            int? output = Required(item, "output_tokens", errors)?.Integer(errors, 1);
            int? rate = Required(item, "rate_per_hour", errors)?.Integer(errors, 0);
            double? delay = Required(item, "delay_limit_ms", errors)?.Number(errors, 0, exclusiveMinimum: true);
            double? errorLimit = Fraction(Required(item, "error_limit", errors), errors);
            double penalty = item.Child("delay_penalty_per_ms")?.Number(errors, 0) ?? 0;
            double? unmet = Required(item, "unmet_penalty", errors, "(the $ lost per query not served)")?.Number(errors, 0);
            double tokenSize = item.Child("token_size_mb")?.Number(errors, 0, exclusiveMinimum: true) ?? DefaultTokenSizeMegabytes;
            ErrorRateOverrides overrides = Overrides(item.Child("error_rates"), models, errors);
            if (name.Length > 0 && !names.Add(name))
            {
                errors.Add(item.Child("name")!.Where, $"class '{name}' is listed twice; names must be unique.");
            }

            if (errors.All.Count == before)
            {
                classes.Add(new RobustClassSpec(name, input!.Value, output!.Value, rate!.Value, delay!.Value, errorLimit!.Value, penalty, unmet!.Value, tokenSize)
                {
                    ErrorRates = overrides,
                    Where = item.Where,
                });
            }
        }

        return classes;
    }

    /// <summary>Reads <c>{model id: {base|precision: rate}}</c>; every model must be one of the spec's.</summary>
    private static ErrorRateOverrides Overrides(SpecNode? node, IReadOnlyList<ModelArchitecture> models, InputErrors errors)
    {
        if (node is null)
        {
            return ErrorRateOverrides.None;
        }

        if (!node.IsMapping)
        {
            errors.Add(node.Where, "must be a mapping of model id to rates, e.g. {llama-3.1-8b: {base: 0.3, int4: 0.45}}.");
            return ErrorRateOverrides.None;
        }

        var rates = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        foreach (string key in node.Keys)
        {
            SpecNode entry = node.Child(key)!;
            ModelArchitecture? model = models.FirstOrDefault(m => string.Equals(m.Id, key, StringComparison.OrdinalIgnoreCase));
            if (model is null)
            {
                errors.Add(entry.Where, $"'{key}' is not one of the spec's models ({string.Join(", ", models.Select(m => m.Id))}).");
                continue;
            }

            if (!entry.IsMapping)
            {
                errors.Add(entry.Where, $"must be a mapping of {string.Join(", ", RateKeys)} to error rates, e.g. {{base: 0.3}}.");
                continue;
            }

            entry.RejectUnknownKeys(RateKeys, errors);
            rates[model.Id] = entry.Keys.Where(RateKeys.Contains)
                .Select(k => (Key: k, Rate: Fraction(entry.Child(k), errors)))
                .Where(p => p.Rate is not null)
                .ToDictionary(p => p.Key, p => p.Rate!.Value, StringComparer.Ordinal);
        }

        return new ErrorRateOverrides { Rates = rates };
    }

    private static double? Fraction(SpecNode? node, InputErrors errors) =>
        node?.Text(errors) is string text ? ValueParsing.Number(text, node.Where, errors, 0, exclusiveMinimum: false, maximum: 1) : null;

    private static IReadOnlyList<SpecNode> NonEmptyList(SpecNode root, string key, string what, InputErrors errors)
    {
        SpecNode? node = Required(root, key, errors, what);
        if (node is null)
        {
            return [];
        }

        var items = node.Items(errors);
        if (node.IsList && items.Count == 0)
        {
            errors.Add(node.Where, "is empty; list at least one.");
        }

        return items;
    }

    private static SpecNode? Required(SpecNode node, string key, InputErrors errors, string alternative = "") => PlacementFile.Required(node, key, errors, alternative);
}
