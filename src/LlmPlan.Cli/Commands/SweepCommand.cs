using System.CommandLine;
using System.Globalization;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO.Fleet;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Fleet;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan sweep …</c>: a planner run over a grid of one input, in parallel, as CSV and a chart.</summary>
internal static class SweepCommand
{
    public static Command Create() => new("sweep", "Run a planner over a range of one input and write the results as CSV and an SVG chart.")
    {
        Fleet(),
    };

    private static Command Fleet()
    {
        var config = new Argument<string>("CONFIG") { Description = "A Mélange JSON config or a fleet spec, as for 'llmplan fleet'." };
        var rates = new Option<string>("--rates")
        {
            Description = "The total request rates: FROM:TO:STEP (e.g. 1:32:1) or a list (e.g. 1,2,4,8,16,32), in requests/s.",
            HelpName = "RATES",
            Required = true,
        };
        var outDir = new Option<string>("--out") { Description = "The folder for fleet-sweep.csv and fleet-sweep.svg.", HelpName = "DIR", Required = true };
        var options = new FleetOptions();
        var command = new Command("fleet", "Plan the cheapest fleet at each request rate and compare it with every single GPU type: fleet-sweep.csv (units per type, costs, savings) and fleet-sweep.svg (cost against rate).")
        {
            config,
            rates,
            outDir,
        };
        options.AddTo(command, withRate: false);
        command.SetAction(parse =>
        {
            var errors = new InputErrors();
            IReadOnlyList<double> grid = ParseRates(parse.GetValue(rates)!, errors);
            errors.ThrowIfAny();
            var (perUnit, _, warnings) = options.Load(parse, parse.GetValue(config)!, RequestsPerSecond.FromRequestsPerSecond(1));
            foreach (string warning in warnings)
            {
                parse.InvocationConfiguration.Error.WriteLine($"warning: {warning}");
            }

            var points = FleetRateSweep.Run(
                perUnit,
                [.. grid.Select(RequestsPerSecond.FromRequestsPerSecond)],
                CbcSolver.Instance,
                options.SolverOptions(parse),
                new MilestoneProgress(parse.InvocationConfiguration.Error, grid.Count, "rates planned"));
            string folder = parse.GetValue(outDir)!;
            CommonOptions.WriteFile(Path.Combine(folder, "fleet-sweep.csv"), FleetSweepWriter.Csv(points));
            CommonOptions.WriteFile(Path.Combine(folder, "fleet-sweep.svg"), FleetSweepWriter.Svg(points, "Fleet cost against request rate: " + Path.GetFileName(parse.GetValue(config)!)));
            WriteTable(parse.InvocationConfiguration.Output, points);
            return (int)(points.All(p => p.Plan.Status != FleetStatus.Infeasible) ? ExitCode.Ok : ExitCode.Infeasible);
        });
        return command;
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<FleetSweepPoint> points)
    {
        var names = points[0].Plan.SingleType.Select(s => s.Option.Name).ToList();
        Tables.Write(
            output,
            "Cheapest fleet per rate ($/h; units per GPU type)",
            ["requests/s", "mix $/h", .. names.Select(n => n + " units"), "best single type", "saves"],
            points.Select(p =>
            {
                FleetPlan plan = p.Plan;
                bool solved = plan.Status != FleetStatus.Infeasible;
                SingleTypeFleet? best = plan.BestSingleType;
                return (IReadOnlyList<string>)
                [
                    IO.CsvWriter.Number(p.Rate.Value, 6),
                    solved ? FleetPlanWriter.Money(plan.CostPerHour.Value) : "infeasible",
                    .. plan.Allocations.Select(a => a.Count.ToString(CultureInfo.InvariantCulture)),
                    best is null ? "-" : $"{best.Option.Name} × {best.Count!.Value.ToString(CultureInfo.InvariantCulture)} = {FleetPlanWriter.Money(best.CostPerHour!.Value.Value)}",
                    plan.SavingsOverBestSingleType is double saved ? (saved * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "-",
                ];
            }),
            new HashSet<int>([0, 1, .. Enumerable.Range(2, names.Count), names.Count + 3]));
    }

    /// <summary>Parses FROM:TO:STEP or a comma list of rates ≥ 0.</summary>
    internal static IReadOnlyList<double> ParseRates(string text, InputErrors errors)
    {
        const string Where = "--rates";
        string[] range = text.Split(':');
        if (range.Length == 3)
        {
            double?[] parts = [.. range.Select(p => IO.ValueParsing.Number(p.Trim(), Where, errors, 0))];
            if (parts.Any(p => p is null))
            {
                return [];
            }

            double from = parts[0]!.Value, to = parts[1]!.Value, step = parts[2]!.Value;
            if (step <= 0 || to < from)
            {
                errors.Add(Where, "FROM:TO:STEP needs FROM ≤ TO and STEP > 0, e.g. 1:32:1.");
                return [];
            }

            int count = (int)Math.Floor(((to - from) / step) + 1e-9) + 1;
            if (count > 10_000)
            {
                errors.Add(Where, string.Create(CultureInfo.InvariantCulture, $"{count} rates is too many; use at most 10000 (a larger STEP)."));
                return [];
            }

            return [.. Enumerable.Range(0, count).Select(i => Math.Round(from + (i * step), 9))];
        }

        double?[] list = [.. text.Split(',').Select(p => IO.ValueParsing.Number(p.Trim(), Where, errors, 0))];
        return list.All(v => v is not null) ? [.. list.Select(v => v!.Value)] : [];
    }
}
