using System.CommandLine;
using System.Globalization;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO.Fleet;
using LlmPlan.IO.Placement;
using LlmPlan.IO.Svg;
using LlmPlan.IO.Robust;
using LlmPlan.Optimization;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Fleet;
using LlmPlan.Planning.Placement;
using LlmPlan.Planning.Robust;
using LlmPlan.Planning.Sweeps;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan sweep …</c>: a planner run over a grid of one input, in parallel, as CSV and a chart.</summary>
internal static class SweepCommand
{
    public static Command Create() => new("sweep", "Run a planner over a grid of one or two inputs, in parallel, and write the results as CSV and SVG charts.")
    {
        Fleet(),
        Robust(),
        Batch(),
    };

    private static Command Batch()
    {
        var outDir = new Option<string>("--out") { Description = "The folder for batch_sweep_results.csv (the seed's columns) and batch-sweep.svg.", HelpName = "DIR", Required = true };
        var options = new PlaceOptions();
        var command = new Command("batch", "Solve the placement problem at every batch size (engine sequence cap) from --min-batch-size to --max-batch-size by doubling, or the spec's batch_sizes, in parallel (the placement seed's run-batch-sweep.sh): a table with the best marked, batch_sweep_results.csv and batch-sweep.svg. Exit 2 when no batch size has a placement.")
        {
            outDir,
        };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var (problem, batches) = options.Load(parse);
            var errors = new InputErrors();
            if (batches.Count == 0)
            {
                errors.Add("--min-batch-size", "a batch sweep needs batch sizes: --min-batch-size B --max-batch-size B (doubling), or batch_sizes in the spec.");
            }

            CommonOptions.RefuseInputAsOutput(Path.Combine(parse.GetValue(outDir)!, "batch_sweep_results.csv"), "--out", options.Inputs(parse), errors);
            errors.ThrowIfAny();
            TextWriter output = parse.InvocationConfiguration.Output;
            PlacementReport.Problem(output, problem, batches);
            IReadOnlyList<PlacementResult> results = PlacementBatchSweep.Run(problem, batches, new MilestoneProgress(parse.InvocationConfiguration.Error, batches.Count, "batch sizes solved"));
            int best = PlacementBatchSweep.Best(problem, results);
            var rows = results.Select((r, i) => new PlacementRow(r.Plan, batches[i], i == best, r.Reason)).ToList();
            Tables.Write(
                output,
                "Batch sweep (best marked)",
                ["Batch Size", "Throughput", "Cost ($/h)", "$/M tokens", "stages", "placement", "status"],
                rows.Select(r => (IReadOnlyList<string>)
                [
                    Invariant.Text($"{r.BatchSize}"),
                    r.Plan is { } p ? Invariant.Fixed(p.TotalTokensPerSecond.Value, 2) : "-",
                    r.Plan is { } c ? Invariant.Fixed(c.CostPerHour.Value, 2) : "-",
                    r.Plan is { } m ? Invariant.Fixed(m.DollarsPerMillionTokens.Value, 6) : "-",
                    r.Plan is { } s ? Invariant.Text($"{s.Deployment.PipelineParallel}") : "-",
                    r.Plan is { } d ? string.Join(" | ", d.Deployment.Stages.Select(x => Invariant.Text($"{x.Instance} TP{x.TensorParallel} L{x.FirstLayer + 1}-{x.LastLayer + 1}"))) : Short(r.Reason),
                    r.Plan is null ? "infeasible" : r.Best ? "✓ best" : "ok",
                ]),
                new HashSet<int> { 0, 1, 2, 3, 4 });
            string folder = parse.GetValue(outDir)!;
            CommonOptions.WriteFile(Path.Combine(folder, "batch_sweep_results.csv"), PlacementWriter.BatchSweepCsv(rows, problem));
            CommonOptions.WriteFile(Path.Combine(folder, "batch-sweep.svg"), BatchChart(problem, rows));
            output.WriteLine(Invariant.Text($"{rows.Count(r => r.Plan is not null)} of {rows.Count} batch sizes have a placement; wrote batch_sweep_results.csv and batch-sweep.svg"));
            return (int)(best >= 0 ? ExitCode.Ok : ExitCode.Infeasible);
        });
        return command;
    }

    private static string Short(string reason) => reason.Length <= 80 ? reason : reason[..77] + "...";

    private static string BatchChart(PlacementProblem problem, IReadOnlyList<PlacementRow> rows) => SvgChartWriter.Line(new LineChart
    {
        Title = Invariant.Text($"{problem.Model.Id}, {problem.Workload.InputTokens} in / {problem.Workload.OutputTokens} out: optimal $ per million tokens by batch size"),
        XAxis = new AxisSpec("batch size (engine sequence cap)", Logarithmic: true),
        YAxis = new AxisSpec("$ per million tokens"),
        Series =
        [
            new ChartSeries("optimal placement", [.. rows.Where(r => r.Plan is not null).Select(r => new ChartPoint(r.BatchSize, r.Plan!.DollarsPerMillionTokens.Value))]),
        ],
    });

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

    private static Command Robust()
    {
        var grid = new Option<string[]>("--grid")
        {
            Description = "A swept parameter, NAME=FROM:TO:STEP (e.g. gpu-price=0.5:1.5:0.1) or NAME=V1,V2,…, as factors × the instance's value; NAME one of gpu-price, budget, delay-threshold, error-threshold, gpu-memory. Once or twice (rows × columns).",
            HelpName = "NAME=RANGE",
        };
        var preset = new Option<string?>("--preset")
        {
            Description = "One of the seed's four grids instead of --grid: cost-budget (gpu-price 0.40…0.65 × budget 0.30…0.50, 30 points), delay-error (delay-threshold 0.01…0.09 × error-threshold 0.4…1.4, 55), gpu-cost-error (gpu-price 0.5…1.5 × error-threshold 0.4…1.4, 121), memory-error (gpu-memory 0.6…2.0 × error-threshold 0.6…2.0, 64).",
            HelpName = "NAME",
        };
        var outDir = new Option<string>("--out") { Description = "The folder for robust-sweep.csv and the SVG charts.", HelpName = "DIR", Required = true };
        var solve = new RobustSolveOptions();
        var command = new Command("robust", "Solve a robust instance at every point of a grid of one or two scaled parameters, in parallel: robust-sweep.csv (a row per point: status, cost terms and shares, GPUs, TP degrees, unmet, delay, error, budget and memory use) and SVG charts (heatmaps of total, rental, unmet and delay cost; total cost against each parameter; cost breakdown and TP degrees per point). Exit 2 when no point solves.")
        {
            grid,
            preset,
            outDir,
        };
        solve.AddTo(command, withSolve: false);
        command.SetAction(parse =>
        {
            var errors = new InputErrors();
            string? path = solve.InstancePath(parse, errors);
            RobustOptions options = solve.ReadOptions(parse, errors);
            SolverOptions solverOptions = solve.ReadSolverOptions(parse, errors);
            IReadOnlyList<SweepAxis> axes = ReadAxes(parse.GetValue(grid) ?? [], parse.GetValue(preset), errors);
            errors.ThrowIfAny();

            RobustInstance instance = solve.ReadInstance(parse, path!);
            int count = RobustSweep.Points(axes).Count;
            var points = RobustSweep.Run(instance, axes, options, CbcSolver.Instance, solverOptions, new MilestoneProgress(parse.InvocationConfiguration.Error, count, "points solved"));
            string folder = parse.GetValue(outDir)!;
            CommonOptions.WriteFile(Path.Combine(folder, "robust-sweep.csv"), RobustSweepWriter.Csv(axes, points));
            var charts = RobustSweepWriter.Charts(axes, points, instance.Name);
            foreach (var (file, svg) in charts)
            {
                CommonOptions.WriteFile(Path.Combine(folder, file), svg);
            }

            bool any = WriteRobustTable(parse.InvocationConfiguration.Output, axes, points);
            parse.InvocationConfiguration.Output.WriteLine(Invariant.Text($"wrote robust-sweep.csv and {charts.Count} SVG charts to {folder}"));
            return (int)(any ? ExitCode.Ok : ExitCode.Infeasible);
        });
        return command;
    }

    /// <summary>The axes from --grid or --preset, with every problem.</summary>
    private static IReadOnlyList<SweepAxis> ReadAxes(IReadOnlyList<string> grids, string? presetName, InputErrors errors)
    {
        if (presetName is not null)
        {
            if (grids.Count > 0)
            {
                errors.Add("--preset", "goes without --grid: a preset is a whole grid; give one or the other.");
                return [];
            }

            RobustSweepPreset? preset = RobustSweep.FindPreset(presetName);
            if (preset is null)
            {
                errors.Add("--preset", $"'{presetName}' is not one of: {string.Join(", ", RobustSweep.Presets.Select(p => p.Name))}.");
            }

            return preset?.Axes ?? [];
        }

        if (grids.Count == 0)
        {
            errors.Add("--grid", "is required: one or two NAME=FROM:TO:STEP (e.g. --grid gpu-price=0.5:1.5:0.1), or --preset NAME.");
            return [];
        }

        return RobustSweep.ParseGrid(grids, errors);
    }

    /// <summary>The cheapest and the dearest solved point; false when none solved.</summary>
    private static bool WriteRobustTable(TextWriter output, IReadOnlyList<SweepAxis> axes, IReadOnlyList<RobustSweepPoint> points)
    {
        var solved = points.Where(p => p.Solution.Status != RobustStatus.Infeasible).OrderBy(p => p.Solution.Objective).ToList();
        output.WriteLine(Invariant.Text($"{points.Count} point{(points.Count == 1 ? string.Empty : "s")}: {solved.Count} solved, {points.Count - solved.Count} infeasible."));
        if (solved.Count == 0)
        {
            output.WriteLine("no point has an allocation: " + points[0].Solution.Reason);
            return false;
        }

        Tables.Write(
            output,
            "Cheapest and dearest points ($ over the horizon)",
            ["point", .. axes.Select(a => RobustScaling.NameOf(a.Parameter)), "status", "total $", "rental $", "delay $", "unmet $", "GPUs"],
            new[] { ("cheapest", solved[0]), ("dearest", solved[^1]) }.Select(row =>
            {
                RobustSolution s = row.Item2.Solution;
                CostBreakdown b = s.Breakdown!;
                return (IReadOnlyList<string>)
                [
                    row.Item1,
                    .. row.Item2.Factors.Select((f, a) => RobustSweepWriter.Factor(axes[a], f)),
                    s.Status.ToString().ToLowerInvariant(),
                    Invariant.Fixed(s.Objective, 4),
                    Invariant.Fixed(b.Rental, 4),
                    Invariant.Fixed(b.NominalDelay + b.RobustDelay, 4),
                    Invariant.Fixed(b.Unmet, 4),
                    s.Deployments.Sum(d => d.TensorParallel).ToString(CultureInfo.InvariantCulture),
                ];
            }),
            new HashSet<int>([.. Enumerable.Range(1, axes.Count), axes.Count + 2, axes.Count + 3, axes.Count + 4, axes.Count + 5, axes.Count + 6]));
        return true;
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
    internal static IReadOnlyList<double> ParseRates(string text, InputErrors errors) =>
        SweepRange.Parse(text, "--rates", errors, example: "1:32:1", noun: "rates", maxCount: 10_000, minimum: 0);
}
