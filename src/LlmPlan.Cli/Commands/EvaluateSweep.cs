using System.Globalization;
using LlmPlan.Catalog;
using LlmPlan.Cli.Rendering;
using LlmPlan.Cluster;
using LlmPlan.IO;
using LlmPlan.IO.Seed;
using LlmPlan.Performance;
using LlmPlan.Planning.Sweeps;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan evaluate --sweep</c>: every instance family × TP × PP of a pool, as one table and one CSV with the
/// placement seed's eval columns plus ours.</summary>
internal static class EvaluateSweep
{
    /// <summary>What the sweep needs, already read from flags.</summary>
    public sealed record Request(
        string? PoolPath,
        string? ConfigDirectory,
        string? ModelId,
        int? InputTokens,
        int? OutputTokens,
        int? Concurrency,
        Precision Weights,
        Precision KvCache,
        string Provider,
        EngineSettings Engine,
        bool MemoryUtilizationGiven,
        string? OutPath);

    public static int Run(Request request, HardwareCatalog catalog, InputErrors errors, TextWriter output, TextWriter error)
    {
        if ((request.PoolPath is null) == (request.ConfigDirectory is null))
        {
            errors.Add("--pool/--config-dir", "--sweep needs exactly one: --pool gpu_pool.csv (with --model) or --config-dir DIR (a seed config dir).");
        }

        if (request.OutPath is not null && !Path.GetExtension(request.OutPath).Equals(".csv", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("--out", $"'{request.OutPath}' must end in .csv: a sweep writes one row per configuration.");
        }

        CommonOptions.RefuseInputAsOutput(request.OutPath, "--out", [request.PoolPath, .. CommonOptions.SeedDirectoryFiles(request.ConfigDirectory)], errors);

        SeedConfigDirectory? directory = request.ConfigDirectory is null ? null : SeedConfigDirectory.Load(request.ConfigDirectory, catalog, request.Provider, errors, readNetwork: false);
        InstancePool? pool = directory?.Pool
            ?? (request.PoolPath is null ? null : SeedPoolReader.Read(request.PoolPath, catalog, [], request.Provider, errors));
        string? modelId = request.ModelId;
        ModelArchitecture? model = modelId is not null ? catalog.RequireModel(modelId, "--model", errors) : directory?.Model;
        if (modelId is null && request.PoolPath is not null)
        {
            errors.Add("--model", "is required with --pool (a config dir names its model in config.csv).");
        }

        int? input = request.InputTokens ?? directory?.Config.SequenceLength;
        int? outputTokens = request.OutputTokens ?? directory?.Config.OutputLength;

        // Without a loaded config the lengths can only come from flags; a config dir that failed to load has already
        // said why, so its missing lengths are not reported again.
        bool configRead = request.ConfigDirectory is null || directory is not null;
        if (input is null && configRead)
        {
            errors.Add("--input-tokens", $"is required: the prompt tokens per request{(directory is null ? "." : " (config.csv has no sequence_length).")}");
        }

        if (outputTokens is null or < 1 && configRead)
        {
            errors.Add("--output-tokens", $"is required: the generated tokens per request, at least 1{(directory is null ? "." : " (config.csv has no output_length above 0).")}");
        }

        errors.ThrowIfAny();
        var workload = new Workload(input!.Value, outputTokens!.Value, request.Concurrency);
        EngineSettings engine = directory is not null && !request.MemoryUtilizationGiven
            ? request.Engine with { GpuMemoryUtilization = directory.Config.GpuMemoryUtilization }
            : request.Engine;
        int points = UniformSweep.Points(pool!).Count;
        var progress = new MilestoneProgress(error, points, "configurations evaluated");
        IReadOnlyList<EvaluatedDeployment> rows = UniformSweep.Run(model!, pool!, workload, request.Weights, request.KvCache, engine, progress);
        WriteTable(output, rows);
        if (request.OutPath is not null)
        {
            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            SeedEvalCsv.Write(rows, directory?.Config.TotalTokensToProcess.Value ?? 1e6, writer);
            CommonOptions.WriteFile(request.OutPath, writer.ToString());
        }

        return rows.Any(r => r.Result.Feasible) ? (int)ExitCode.Ok : (int)ExitCode.Infeasible;
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<EvaluatedDeployment> rows)
    {
        EvaluatedDeployment? best = UniformSweep.Best(rows);
        Tables.Write(
            output,
            "Uniform configurations (best $/Mtok marked *)",
            ["", "instance", "gpu", "TP", "PP", "GPUs", "seqs", "TTFT (ms)", "TPOT (ms)", "output tok/s", "total tok/s", "$/h", "$/Mtok", "status"],
            rows.Select(r => (IReadOnlyList<string>)
            [
                ReferenceEquals(r, best) ? "*" : string.Empty, r.InstanceLabel, r.GpuLabel, r.TensorParallelLabel, N(r.Deployment.PipelineParallel),
                N(r.Deployment.GpuCount), r.Result.Feasible ? N(r.Result.Concurrency) : "-",
                r.Result.Feasible ? F(r.Result.TimeToFirstToken.Milliseconds, 1) : "-", r.Result.Feasible ? F(r.Result.TimePerOutputToken.Milliseconds, 2) : "-",
                r.Result.Feasible ? F(r.Result.OutputTokensPerSecond.Value, 1) : "-", r.Result.Feasible ? F(r.Result.TotalTokensPerSecond.Value, 1) : "-",
                F(r.Result.CostPerHour.Value, 2), r.Result.Feasible ? F(r.Result.DollarsPerMillionTokens.Value, 4) : "-",
                r.Result.Feasible ? "ok" : Short(r.Result.Reason),
            ]),
            new HashSet<int> { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 });
        int feasible = rows.Count(r => r.Result.Feasible);
        output.WriteLine($"{N(rows.Count)} configurations, {N(feasible)} feasible; full reasons and memory columns in --out FILE.csv.");
    }

    /// <summary>The first clause of a reason, so that the table stays one line per row.</summary>
    private static string Short(string reason)
    {
        int colon = reason.IndexOf("): ", StringComparison.Ordinal);
        string text = colon >= 0 ? reason[(colon + 3)..] : reason;
        int stop = text.IndexOfAny(['(', ';', '.']);
        return "infeasible: " + (stop > 0 ? text[..stop].Trim() : text);
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString("F" + N(decimals), CultureInfo.InvariantCulture);
}
