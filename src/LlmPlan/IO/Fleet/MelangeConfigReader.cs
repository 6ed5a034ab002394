using System.Globalization;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.IO.Fleet;

/// <summary>Reads the Mélange fleet planner's JSON config into a <see cref="MelangeConfig"/>, checking everything Mélange
/// itself does not (shapes, ragged rows, negative or missing values, repeated GPU names) and reporting every problem at
/// once.</summary>
/// <remarks>The format, unchanged from Mélange:
/// <c>{"gpu_info": {"&lt;name&gt;": {"cost": $/h, "tputs": [[requests/s per bucket]]}, …}, "workload_distribution":
/// [[fractions]], "total_request_rate": requests/s, "slice_factor": 1}</c>, where rows are input-length buckets and columns
/// output-length buckets. <c>overall_rate</c> is accepted as the older name of <c>total_request_rate</c>;
/// <c>slice_factor</c> is optional (1). A tput of 0 is valid: that GPU cannot serve that bucket within the SLO. The file is
/// read by the YAML parser (JSON is YAML's flow style), so locations carry line numbers and a <c>NaN</c> cell is reported
/// on its own rather than as a syntax error.</remarks>
public static class MelangeConfigReader
{
    /// <summary>The top-level keys a config may hold.</summary>
    public static readonly IReadOnlyList<string> Keys = [GpuInfoKey, DistributionKey, RateKey, OldRateKey, SliceFactorKey];

    /// <summary>How far the distribution's sum may be from 1 before a warning says so.</summary>
    public const double SumTolerance = 0.01;

    private const string GpuInfoKey = "gpu_info";
    private const string DistributionKey = "workload_distribution";
    private const string RateKey = "total_request_rate";
    private const string OldRateKey = "overall_rate";
    private const string SliceFactorKey = "slice_factor";
    private const string MatrixExample = "[[2, 1], [5, 2]]";

    private static readonly string[] GpuKeys = ["cost", "tputs"];

    /// <summary>Reads a config file (without ever writing it).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The config; its <see cref="MelangeConfig.Warnings"/> list problems that do not stop it from being used.</returns>
    /// <exception cref="InputValidationException">The file is missing, unreadable or invalid; carries every problem found.</exception>
    public static MelangeConfig Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new InputValidationException([new InputError(path, "the file does not exist. Check the path.")]);
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputValidationException([new InputError(path, $"the file cannot be read: {e.Message}")]);
        }

        return Parse(Path.GetFileName(path), text);
    }

    /// <summary>Reads a config from its text.</summary>
    /// <param name="file">The file name used in messages.</param>
    /// <param name="text">The JSON (or YAML) text.</param>
    /// <returns>The config; its <see cref="MelangeConfig.Warnings"/> list problems that do not stop it from being used.</returns>
    /// <exception cref="InputValidationException">The text is invalid; carries every problem found.</exception>
    public static MelangeConfig Parse(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        var errors = new InputErrors();
        SpecNode? root = SpecNode.Parse(file, text, errors);
        MelangeConfig? config = root is null ? null : ReadRoot(root, errors);
        errors.ThrowIfAny();
        return config ?? throw new InvalidOperationException("The reader returned no config and no error.");
    }

    private static MelangeConfig? ReadRoot(SpecNode root, InputErrors errors)
    {
        if (!root.IsMapping)
        {
            errors.Add(root.Where, $"must be a JSON object with the keys {GpuInfoKey}, {DistributionKey} and {RateKey} (and optionally {SliceFactorKey}); see examples/fleet/melange-example.json.");
            return null;
        }

        var warnings = new List<string>();
        root.RejectUnknownKeys(Keys, errors);
        SpecNode? gpuInfo = Required(
            root, GpuInfoKey, errors, $"map each GPU name to its price and profiled throughputs, e.g. \"{GpuInfoKey}\": {{\"A10G\": {{\"cost\": 1.01, \"tputs\": {MatrixExample}}}}}.");
        SpecNode? distributionNode = Required(
            root, DistributionKey, errors, $"give the fraction of requests in each bucket, rows = input-length buckets, columns = output-length buckets, e.g. \"{DistributionKey}\": [[0.2, 0.1], [0.5, 0.2]].");
        (SpecNode? rateNode, string rateKey) = RateNode(root, errors);

        IReadOnlyList<GpuEntry> gpus = gpuInfo is null ? [] : ReadGpus(gpuInfo, errors, warnings);
        Matrix? distribution = distributionNode is null ? null : ReadMatrix(distributionNode, errors);
        foreach (GpuEntry gpu in gpus)
        {
            if (distribution is not null && gpu.Tputs is Matrix tputs && (tputs.Rows, tputs.Columns) != (distribution.Rows, distribution.Columns))
            {
                errors.Add(
                    tputs.Node.Where,
                    $"is {Shape(tputs)} (rows × columns) but {DistributionKey} is {Shape(distribution)}; give one throughput per bucket of the distribution (rows = input-length buckets, columns = output-length buckets).");
            }
        }

        double? rate = rateNode?.Number(errors, 0);
        if (rate is not null && distribution?.Values is double[][] given && !double.IsFinite(given.Sum(row => row.Sum()) * rate.Value))
        {
            errors.Add(rateNode!.Where, "the bucket rates (fraction × rate) are too large to compute; use requests/s and fractions of a sensible size.");
        }

        int? sliceFactor = root.Child(SliceFactorKey) is SpecNode slices ? slices.Integer(errors, 1) : 1;
        if (errors.Any)
        {
            return null;
        }

        double[][] fractions = distribution!.Values!;
        warnings.AddRange(DistributionWarnings(distribution, gpus, rate!.Value, rateKey));
        return new MelangeConfig
        {
            Source = root.File,
            Gpus =
            [
                .. gpus.Select(g => new MelangeGpu
                {
                    Name = g.Name,
                    Cost = DollarsPerHour.FromDollarsPerHour(g.Cost!.Value),
                    Tputs = [.. g.Tputs!.Values!.Select(row => (IReadOnlyList<RequestsPerSecond>)[.. row.Select(RequestsPerSecond.FromRequestsPerSecond)])],
                }),
            ],
            Distribution = [.. fractions.Select(row => (IReadOnlyList<double>)[.. row])],
            TotalRate = RequestsPerSecond.FromRequestsPerSecond(rate.Value),
            RateKey = rateKey,
            SliceFactor = sliceFactor!.Value,
            Warnings = [.. warnings],
        };
    }

    /// <summary>The rate node under its current or older name; both at once is an error.</summary>
    private static (SpecNode? Node, string Key) RateNode(SpecNode root, InputErrors errors)
    {
        SpecNode? current = root.Child(RateKey);
        SpecNode? old = root.Child(OldRateKey);
        if (current is not null && old is not null)
        {
            errors.Add(old.Where, $"'{OldRateKey}' is the older name of '{RateKey}', which is given too; keep only one of them.");
        }
        else if (current is null && old is null)
        {
            errors.Add(root.Where, $"field '{RateKey}' is missing: give the total request rate in requests/s, e.g. \"{RateKey}\": 30 (the older name '{OldRateKey}' is accepted too).");
        }

        return current is null && old is not null ? (old, OldRateKey) : (current, RateKey);
    }

    private static IReadOnlyList<GpuEntry> ReadGpus(SpecNode gpuInfo, InputErrors errors, List<string> warnings)
    {
        if (!gpuInfo.IsMapping)
        {
            errors.Add(gpuInfo.Where, $"must be an object mapping each GPU name to its cost and tputs, e.g. {{\"A10G\": {{\"cost\": 1.01, \"tputs\": {MatrixExample}}}}}.");
            return [];
        }

        if (gpuInfo.Keys.Count == 0)
        {
            errors.Add(gpuInfo.Where, "names no GPU; give at least one GPU type with its cost and tputs.");
            return [];
        }

        var gpus = new List<GpuEntry>();
        foreach (string name in gpuInfo.Keys)
        {
            SpecNode entry = gpuInfo.Child(name)!;
            if (name.Trim().Length == 0)
            {
                errors.Add(entry.Where, "the GPU name is empty; name the GPU type, e.g. \"A10G\".");
                continue;
            }

            if (FleetPlanWriter.ReservedKeys.Contains(name))
            {
                errors.Add(entry.Where, $"the GPU name '{name}' is also a key of the result (its keys are the GPU names, then {string.Join(", ", FleetPlanWriter.ReservedKeys)}); rename the GPU type.");
                continue;
            }

            if (!entry.IsMapping)
            {
                errors.Add(entry.Where, $"must be an object with the GPU's cost ($/h) and tputs (requests/s per bucket), e.g. {{\"cost\": 1.01, \"tputs\": {MatrixExample}}}.");
                continue;
            }

            foreach (string key in entry.Keys.Where(k => !GpuKeys.Contains(k)))
            {
                warnings.Add($"{entry.Child(key)!.Where}: unknown field, ignored (Mélange reads only cost and tputs of a GPU).");
            }

            double? cost = Required(entry, "cost", errors, $"give the price of one {name} in $/h, e.g. \"cost\": 1.01.")?.Number(errors, 0);
            SpecNode? tputsNode = Required(
                entry, "tputs", errors, $"give the requests/s one {name} sustains within the SLO in each bucket (0 where it cannot), in the shape of {DistributionKey}.");
            gpus.Add(new GpuEntry(name, cost, tputsNode is null ? null : ReadMatrix(tputsNode, errors)));
        }

        return gpus;
    }

    /// <summary>Reads a list of rows of numbers ≥ 0, reporting a ragged row and every bad cell.</summary>
    /// <returns>The matrix when it is a rectangular list of lists of at least 1×1 (with <see cref="Matrix.Values"/> null
    /// when a cell is bad), else null.</returns>
    private static Matrix? ReadMatrix(SpecNode node, InputErrors errors)
    {
        if (!node.IsList)
        {
            errors.Add(node.Where, $"must be a list of rows, one per input-length bucket, each a list of numbers, one per output-length bucket, e.g. {MatrixExample}.");
            return null;
        }

        IReadOnlyList<SpecNode> rows = node.Items(errors);
        if (rows.Count == 0)
        {
            errors.Add(node.Where, $"has no rows; give at least one row of at least one number, e.g. {MatrixExample}.");
            return null;
        }

        List<IReadOnlyList<SpecNode>?> cells = [.. rows.Select(row => row.IsList ? row.Items(errors) : null)];
        int reference = cells.FindIndex(row => row is { Count: > 0 });
        bool rectangular = reference >= 0;
        var values = new double[rows.Count][];
        bool allRead = true;
        for (int i = 0; i < rows.Count; i++)
        {
            IReadOnlyList<SpecNode>? row = cells[i];
            if (row is null)
            {
                errors.Add(rows[i].Where, "must be a list of numbers, one per output-length bucket, e.g. [2, 1].");
                (rectangular, allRead) = (false, false);
                continue;
            }

            if (row.Count == 0)
            {
                errors.Add(rows[i].Where, "the row is empty; give one number per output-length bucket.");
                rectangular = false;
            }
            else if (row.Count != cells[reference]!.Count)
            {
                errors.Add(rows[i].Where, $"row {Count(i)} has {Values(row.Count)} but row {Count(reference)} has {Values(cells[reference]!.Count)}; every row needs one value per output-length bucket.");
                rectangular = false;
            }

            values[i] = new double[row.Count];
            for (int j = 0; j < row.Count; j++)
            {
                double? value = row[j].Number(errors, 0);
                allRead &= value is not null;
                values[i][j] = value ?? 0;
            }
        }

        return rectangular ? new Matrix(node, rows.Count, cells[reference]!.Count, allRead ? values : null, [.. cells.Select(row => row!)]) : null;
    }

    private static IEnumerable<string> DistributionWarnings(Matrix distribution, IReadOnlyList<GpuEntry> gpus, double rate, string rateKey)
    {
        double[][] fractions = distribution.Values!;
        double sum = fractions.Sum(row => row.Sum());
        if (Math.Abs(sum - 1) > SumTolerance)
        {
            yield return $"{distribution.Node.Where}: the fractions sum to {Round(sum)}, not 1. They are used as given, as Mélange does "
                + $"(a bucket's rate = its fraction × {rateKey}), so the buckets carry {Round(sum * rate)} requests/s in all, not {Round(rate)}. "
                + "Divide every fraction by their sum if they are meant as shares of the total.";
        }

        for (int i = 0; i < distribution.Rows; i++)
        {
            for (int j = 0; j < distribution.Columns; j++)
            {
                if (fractions[i][j] > 0 && gpus.All(g => g.Tputs!.Values![i][j] == 0))
                {
                    yield return Invariant.Text($"{distribution.Cells[i][j].Where}: bucket (input {i + 1}, output {j + 1}) has {Round(fractions[i][j])} of the requests but every GPU's tput there is 0, so no fleet can serve it within the SLO.");
                }
            }
        }
    }

    private static SpecNode? Required(SpecNode parent, string key, InputErrors errors, string hint)
    {
        SpecNode? child = parent.Child(key);
        if (child is null)
        {
            errors.Add(parent.Where, $"field '{key}' is missing: {hint}");
        }

        return child;
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Values(int count) => count == 1 ? "1 value" : $"{Count(count)} values";

    private static string Shape(Matrix matrix) => Invariant.Text($"{matrix.Rows}×{matrix.Columns}");

    private static string Round(double value) => ValueParsing.Format(Math.Round(value, 6));

    /// <summary>A GPU entry as read: the cost and tputs are null when missing or invalid.</summary>
    private sealed record GpuEntry(string Name, double? Cost, Matrix? Tputs);

    /// <summary>A rectangular matrix as read, with its node and cells for messages; <see cref="Values"/> is null when a
    /// cell is not a number ≥ 0.</summary>
    private sealed record Matrix(SpecNode Node, int Rows, int Columns, double[][]? Values, IReadOnlyList<IReadOnlyList<SpecNode>> Cells);
}
