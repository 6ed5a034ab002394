using System.CommandLine;
using LlmPlan.Accuracy;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan validate</c>: predicts every row of a measurement file and reports the errors.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var options = new MeasurementOptions();
        var outDir = new Option<string>("--out") { Description = "The folder for predictions.csv, summary.json and predicted-vs-measured.svg.", HelpName = "DIR", Required = true };
        var command = new Command("validate", "Predict every row of a measurement file with the performance model and report the error: DIR/predictions.csv (id,metric,measured,predicted,ape), DIR/summary.json (median, mean and p90 APE overall, per metric, per GPU and per TP degree; skipped rows with the reason), DIR/predicted-vs-measured.svg, and a table. Exit 2 when no row can be predicted.")
        {
            outDir,
        };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var errors = new InputErrors();
            string folder = parse.GetValue(outDir)!;
            CommonOptions.RefuseFileAsFolder(folder, "--out", errors);

            CommonOptions.RefuseInputAsOutput(Path.Combine(folder, ValidationWriter.PredictionsFile), "--out", options.Files(parse), errors);
            var (rows, _) = options.Load(parse, errors);
            ValidationReport report = ValidationReport.Of([.. rows.Select(r => MeasurementPredictor.Predict(r))]);
            WriteFolder(folder, report);
            AccuracyReport.Write(parse.InvocationConfiguration.Output, report, options.Names(parse));
            return (int)(report.Overall.Count > 0 ? ExitCode.Ok : ExitCode.Infeasible);
        });
        return command;
    }

    /// <summary>Writes predictions.csv, summary.json and predicted-vs-measured.svg of <paramref name="report"/> into
    /// <paramref name="folder"/> (created when missing).</summary>
    internal static void WriteFolder(string folder, ValidationReport report)
    {
        CommonOptions.WriteFile(Path.Combine(folder, ValidationWriter.PredictionsFile), ValidationWriter.PredictionsCsv(report));
        CommonOptions.WriteFile(Path.Combine(folder, ValidationWriter.SummaryFile), ValidationWriter.SummaryJson(report));
        CommonOptions.WriteFile(Path.Combine(folder, ValidationWriter.ChartFile), ValidationWriter.Svg(report));
    }
}
