using System.CommandLine;
using System.Globalization;
using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan calibrate</c>: fits each GPU's constants to measurements, or cross-validates the fit.</summary>
internal static class CalibrateCommand
{
    public static Command Create()
    {
        var options = new MeasurementOptions();
        var output = CommonOptions.Out("Write the constants to FILE.csv in the catalog's format (data/gpu-calibration.csv): every catalog GPU, fitted, derived from its generation, or default. Required unless --cross-validate is given; with it, an optional folder for the held-out predictions: predictions.csv, summary.json and predicted-vs-measured.svg, as validate writes them.");
        var crossValidate = new Option<string?>("--cross-validate")
        {
            Description = "Instead of writing constants, hold out each GPU (its constants then come from its generation) or each model in turn, fit without it and predict it: the error on data the fit has not seen.",
            HelpName = "gpu|model",
        };
        var command = new Command("calibrate", "Fit each GPU's six performance-model constants (compute efficiency, memory efficiency, step overhead, collective step latency, link efficiency, per-sequence step overhead) to a measurement file by robust least squares in log space (every row but closed-loop TTFT, which validate simulates and which depends on the benchmark harness); print the error before and after, and write the constants in the catalog's format.")
        {
            output,
            crossValidate,
        };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var errors = new InputErrors();
            string? outPath = parse.GetValue(output);
            string? cv = parse.GetValue(crossValidate);
            HoldOut? holdOut = cv switch
            {
                null => null,
                "gpu" => HoldOut.Gpu,
                "model" => HoldOut.Model,
                _ => Invalid(errors, "--cross-validate", $"'{cv}' is not gpu or model."),
            };
            if (outPath is null && cv is null)
            {
                errors.Add("--out", "is required: the file for the fitted constants, e.g. constants.csv (or give --cross-validate gpu|model).");
            }
            else if (outPath is not null && holdOut is not null)
            {
                CommonOptions.RefuseFileAsFolder(outPath, "--out", errors);
            }
            else if (outPath is not null && !Path.GetExtension(outPath).Equals(".csv", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add("--out", $"'{outPath}' must end in .csv.");
            }

            CommonOptions.RefuseInputAsOutput(holdOut is not null && outPath is not null ? Path.Combine(outPath, ValidationWriter.PredictionsFile) : outPath, "--out", options.Files(parse), errors);
            var (rows, catalog) = options.Load(parse, errors);
            string name = options.Names(parse);
            TextWriter writer = parse.InvocationConfiguration.Output;
            if (holdOut is { } kind)
            {
                CrossValidationResult result = CrossValidationResult.Run(rows, catalog, kind, name);
                if (outPath is not null)
                {
                    ValidateCommand.WriteFolder(outPath, result.Pooled);
                }

                WriteCrossValidation(writer, result, name);
                return (int)ExitCode.Ok;
            }

            IReadOnlyList<GpuFit> fits = CalibrationFit.FitAll(rows, catalog, name);
            WriteFits(writer, rows, catalog, fits, name);
            CommonOptions.WriteFile(outPath!, CalibrationWriter.Csv(fits));
            return (int)(fits.Any(f => f.Origin == CalibrationOrigin.Fitted) ? ExitCode.Ok : ExitCode.Infeasible);
        });
        return command;
    }

    private static HoldOut? Invalid(InputErrors errors, string option, string message)
    {
        errors.Add(option, message + " Write --cross-validate gpu or --cross-validate model.");
        return null;
    }

    private static void WriteFits(TextWriter output, IReadOnlyList<PreparedMeasurement> rows, HardwareCatalog catalog, IReadOnlyList<GpuFit> fits, string name)
    {
        Tables.Write(
            output,
            $"constants fitted to {name}",
            ["gpu", "rows", "compute eff.", "memory eff.", "step overhead (ms)", "collective step latency (us)", "link eff.", "per-sequence overhead (us)", "origin"],
            fits.Select(f => (IReadOnlyList<string>)
            [
                f.Gpu.Id, f.Rows.ToString(CultureInfo.InvariantCulture), F(f.Calibration.ComputeEfficiency, 3), F(f.Calibration.MemoryEfficiency, 3),
                F(f.Calibration.StepOverhead.Milliseconds, 3), F(f.Calibration.CollectiveLatency.Value * 1e6, 1), F(f.Calibration.LinkEfficiency, 3),
                F(f.Calibration.SequenceOverhead.Value * 1e6, 2), f.Origin.ToString().ToLowerInvariant(),
            ]),
            new HashSet<int> { 1, 2, 3, 4, 5, 6, 7 });
        WriteAtBounds(output, fits);

        ValidationReport Report(Func<GpuSpec, GpuCalibration> constants) =>
            ValidationReport.Of([.. rows.Select(r => MeasurementPredictor.Predict(r, r.Gpu is { } g ? constants(g) : null))]);
        ValidationReport defaults = Report(ArchitectureDefaults.For);
        ValidationReport current = Report(g => g.Calibration);
        ValidationReport after = Report(g => fits.First(f => f.Gpu.Id == g.Id).Calibration);
        var before = AccuracyReport.SummaryRows(defaults).ToList();
        var now = AccuracyReport.SummaryRows(current).ToList();
        var fitted = AccuracyReport.SummaryRows(after).ToList();
        Tables.Write(
            output,
            $"APE on {name} ({after.Overall.Count} of {rows.Count} rows predicted): defaults, the catalog's constants, fitted",
            ["group", "n", "defaults median", "defaults p90", "catalog median", "catalog p90", "fitted median", "fitted p90"],
            fitted.Select((row, i) => (IReadOnlyList<string>)[row[0], row[1], before[i][2], before[i][4], now[i][2], now[i][4], row[2], row[4]]),
            new HashSet<int> { 1, 2, 3, 4, 5, 6, 7 });
    }

    private static void WriteAtBounds(TextWriter output, IReadOnlyList<GpuFit> fits)
    {
        var atBounds = fits.Where(f => f.AtBounds.Count > 0).ToList();
        if (atBounds.Count == 0)
        {
            output.WriteLine("no fitted constant is at a bound of its physical range.");
            output.WriteLine();
            return;
        }

        output.WriteLine("fitted constants at a bound of their physical range (the model misses an effect in these GPUs' rows):");
        foreach (GpuFit fit in atBounds)
        {
            output.WriteLine($"  {fit.Gpu.Id}: {string.Join(", ", fit.AtBounds)}");
        }

        output.WriteLine();
    }

    private static void WriteCrossValidation(TextWriter output, CrossValidationResult result, string name)
    {
        string what = result.Kind == HoldOut.Gpu ? "GPU" : "model";
        Tables.Write(
            output,
            $"leave-one-{what}-out cross-validation on {name}: APE of each held-out {what}",
            ["held out", "n", "median", "mean", "p90"],
            result.Folds.Select(f => AccuracyReport.Row(f.HeldOut, f.Report.Overall)),
            new HashSet<int> { 1, 2, 3, 4 });
        Tables.Write(output, "all held-out rows together", ["group", "n", "median", "mean", "p90"], AccuracyReport.SummaryRows(result.Pooled), new HashSet<int> { 1, 2, 3, 4 });
    }

    private static string F(double value, int decimals) => LlmPlan.Invariant.Fixed(value, decimals);
}
