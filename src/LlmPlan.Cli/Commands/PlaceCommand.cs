using System.CommandLine;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO;
using LlmPlan.IO.Placement;
using LlmPlan.IO.Svg;
using LlmPlan.Planning.Placement;
using LlmPlan.Planning.Sweeps;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan place</c>: the optimal heterogeneous placement of a model over a pool of machines.</summary>
internal static class PlaceCommand
{
    public static Command Create()
    {
        var options = new PlaceOptions();
        var pareto = new Option<bool>("--pareto") { Description = "List every placement that no other beats on both $/h and tokens/s (the cost-throughput frontier) instead of one; with --out, pareto.csv and pareto.svg." };
        var outDir = new Option<string?>("--out") { Description = "A folder for solution.json and solution_summary.csv (the seed's columns); with --pareto also pareto.csv and pareto.svg.", HelpName = "DIR" };
        var command = new Command("place", "Find the optimal placement of a model's layers over a pool of machines: pipeline stages (layer ranges) on tensor-parallel groups of possibly different GPU types, with replicas for a target rate. Exact: proven best under the performance model. Exit 2 with the binding limit when none fits.")
        {
            pareto,
            outDir,
        };
        options.AddTo(command);
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            string? folder = parse.GetValue(outDir);
            var errors = new InputErrors();
            CommonOptions.RefuseFileAsFolder(folder, "--out", errors);

            if (folder is not null)
            {
                foreach (string name in new[] { "solution.json", "solution_summary.csv", "pareto.csv", "pareto.svg" })
                {
                    CommonOptions.RefuseInputAsOutput(Path.Combine(folder, name), "--out", options.Inputs(parse), errors);
                }
            }

            errors.ThrowIfAny();
            var (problem, batches) = options.Load(parse);
            if (parse.GetValue(pareto))
            {
                return Frontier(problem, batches, folder, output, error);
            }

            PlacementReport.Problem(output, problem, batches);
            var (result, batch) = Solve(problem, batches, error);
            PlacementProblem solved = PlacementBatchSweep.AtBatch(problem, batch);
            EvaluatedDeployment? uniform = BestUniform(solved);
            PlacementReport.Plan(output, result, solved, batch, uniform);
            error.WriteLine(Invariant.Text($"solved in {result.SolveTime.Value:0.000} s"));
            if (folder is not null)
            {
                CommonOptions.WriteFile(Path.Combine(folder, "solution.json"), PlacementWriter.Json(result, solved, batch, uniform));
                CommonOptions.WriteFile(Path.Combine(folder, "solution_summary.csv"), PlacementWriter.SummaryCsv([new PlacementRow(result.Plan, batch, true, result.Reason)], solved, withBest: false));
            }

            return (int)(result.Status == PlacementStatus.Optimal ? ExitCode.Ok : ExitCode.Infeasible);
        });
        return command;
    }

    /// <summary>The best uniform configuration of the pool by $/Mtok, as <c>evaluate --sweep</c> finds it, or null.</summary>
    internal static EvaluatedDeployment? BestUniform(PlacementProblem problem) => UniformSweep.Best(Uniform(problem));

    /// <summary>Every uniform configuration of the problem's pool, evaluated as <c>evaluate --sweep</c> does.</summary>
    private static IReadOnlyList<EvaluatedDeployment> Uniform(PlacementProblem problem) =>
        UniformSweep.Run(problem.Model, problem.Pool, problem.Workload, problem.Weights, problem.KvCache, problem.Engine, maxParallelism: 1);

    private static (PlacementResult Result, int BatchSize) Solve(PlacementProblem problem, IReadOnlyList<int> batches, TextWriter error)
    {
        if (batches.Count <= 1)
        {
            return (PlacementPlanner.Solve(problem), problem.Engine.MaxSequences);
        }

        IReadOnlyList<PlacementResult> results = PlacementBatchSweep.Run(problem, batches, new MilestoneProgress(error, batches.Count, "batch sizes solved"));
        int best = PlacementBatchSweep.Best(problem, results);
        return best >= 0 ? (results[best], batches[best]) : (results[0], batches[0]);
    }

    private static int Frontier(PlacementProblem problem, IReadOnlyList<int> batches, string? folder, TextWriter output, TextWriter error)
    {
        var errors = new InputErrors();
        if (batches.Count > 1)
        {
            errors.Add("--pareto", "takes one batch size; drop --min-batch-size/--max-batch-size (or run it once per batch size).");
        }

        if (problem.Constraints.TargetTokensPerSecond is not null || problem.Constraints.TargetRequestsPerSecond is not null)
        {
            errors.Add("--pareto", "lists single pipelines; drop the target rate (each point's replicas would be another frontier).");
        }

        errors.ThrowIfAny();
        PlacementReport.Problem(output, problem, batches);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (frontier, statistics) = PlacementPlanner.Frontier(problem);
        error.WriteLine(Invariant.Text($"frontier of {frontier.Count} placements in {clock.Elapsed.TotalSeconds:0.000} s ({statistics.Nodes} partial pipelines)"));
        if (frontier.Count == 0)
        {
            output.WriteLine($"infeasible: {PlacementPlanner.Solve(problem).Reason}");
            return (int)ExitCode.Infeasible;
        }

        int best = Enumerable.Range(0, frontier.Count).MinBy(i => frontier[i].DollarsPerMillionTokens.Value);
        Tables.Write(
            output,
            "Cost-throughput frontier (least $/Mtok marked *)",
            ["", "$/h", "total tok/s", "$/Mtok", "TTFT (ms)", "TPOT (ms)", "stages", "placement"],
            frontier.Select((p, i) => (IReadOnlyList<string>)
            [
                i == best ? "*" : string.Empty, Invariant.Fixed(p.CostPerHour.Value, 4), Invariant.Fixed(p.TotalTokensPerSecond.Value, 1),
                Invariant.Fixed(p.DollarsPerMillionTokens.Value, 6), Invariant.Fixed(p.Evaluation.TimeToFirstToken.Milliseconds, 1),
                Invariant.Fixed(p.Evaluation.TimePerOutputToken.Milliseconds, 2), Invariant.Text($"{p.Deployment.PipelineParallel}"),
                string.Join(" | ", p.Deployment.Stages.Select(s => Invariant.Text($"{s.Instance} TP{s.TensorParallel} L{s.FirstLayer + 1}-{s.LastLayer + 1}"))),
            ]),
            new HashSet<int> { 1, 2, 3, 4, 5, 6 });
        if (folder is not null)
        {
            var rows = frontier.Select((p, i) => new PlacementRow(p, problem.Engine.MaxSequences, i == best)).ToList();
            CommonOptions.WriteFile(Path.Combine(folder, "pareto.csv"), PlacementWriter.SummaryCsv(rows, problem, withBest: true));
            CommonOptions.WriteFile(Path.Combine(folder, "pareto.svg"), FrontierChart(problem, frontier, best));
        }

        return (int)ExitCode.Ok;
    }

    private static string FrontierChart(PlacementProblem problem, IReadOnlyList<PlacementPlan> frontier, int best)
    {
        var uniform = Uniform(problem)
            .Where(r => r.Result.Feasible)
            .Select(r => new ChartPoint(r.Result.CostPerHour.Value, r.Result.TotalTokensPerSecond.Value))
            .ToList();
        var series = new List<ChartSeries>();
        if (uniform.Count > 0)
        {
            series.Add(new ChartSeries("uniform TP × PP", uniform, SeriesStyle.Markers));
        }

        series.Add(new ChartSeries("frontier (exact)", [.. frontier.Select(p => new ChartPoint(p.CostPerHour.Value, p.TotalTokensPerSecond.Value))], SeriesStyle.Steps));
        series.Add(new ChartSeries("least $/Mtok", [new ChartPoint(frontier[best].CostPerHour.Value, frontier[best].TotalTokensPerSecond.Value)], SeriesStyle.Markers));
        return SvgChartWriter.Line(new LineChart
        {
            Title = Invariant.Text($"{problem.Model.Id}, {problem.Workload.InputTokens} in / {problem.Workload.OutputTokens} out: tokens/s against $/h"),
            XAxis = new AxisSpec("cost ($/h)"),
            YAxis = new AxisSpec("total tokens/s"),
            Series = series,
        });
    }
}
