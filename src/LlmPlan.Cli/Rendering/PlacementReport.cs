using LlmPlan.Catalog;
using LlmPlan.IO;
using LlmPlan.IO.Placement;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Units;

namespace LlmPlan.Cli.Rendering;

/// <summary>The human report of a placement: the problem in one line, the pipeline as a tree (stage → machine → GPUs),
/// the totals, the stages, and the comparison with the best uniform configuration.</summary>
internal static class PlacementReport
{
    public static void Problem(TextWriter output, PlacementProblem problem, IReadOnlyList<int> batchSizes)
    {
        Workload w = problem.Workload;
        string concurrency = w.Concurrency is int n ? Invariant.Text($"{n} in flight") : "max";
        string batches = batchSizes.Count > 1 ? Invariant.Text($"batch sizes {string.Join(", ", batchSizes)}") : Invariant.Text($"engine cap {problem.Engine.MaxSequences} sequences");
        output.WriteLine(Invariant.Text(
            $"{problem.Model.Id} ({problem.Weights.Name()} weights, {problem.KvCache.Name()} KV) · {w.InputTokens} in / {w.OutputTokens} out · concurrency {concurrency}, {batches}"));
        output.WriteLine(Invariant.Text(
            $"pool: {problem.Pool.Entries.Count} instance types, {problem.Pool.Entries.Sum(e => e.Count)} machines, {problem.Pool.GpuCount} GPUs · network: {problem.Network.Source} · objective: {PlacementSpecFile.Name(problem.Objective)}"));
    }

    public static void Plan(TextWriter output, PlacementResult result, PlacementProblem problem, int batchSize, EvaluatedDeployment? uniform)
    {
        if (result.Plan is not { } plan)
        {
            output.WriteLine($"infeasible: {result.Reason}");
            return;
        }

        output.WriteLine(Invariant.Text(
            $"status: optimal (proven: {Count(result.Statistics.Cells, "cell")} searched, {Count(result.Statistics.Nodes, "partial pipeline")}, {Count(result.Statistics.Leaves, "complete pipeline")} evaluated)"));
        output.WriteLine();
        Tree(output, plan);
        output.WriteLine();
        Evaluation e = plan.Evaluation;
        Tables.Write(
            output,
            "Placement",
            ["output tok/s", "total tok/s", "req/s", "$/h", "$/Mtok", "TTFT (ms)", "TPOT (ms)", "running seqs", "batch size", "replicas", "GPUs"],
            [
                [
                    Invariant.Fixed(plan.OutputTokensPerSecond.Value, 1), Invariant.Fixed(plan.TotalTokensPerSecond.Value, 1), Invariant.Fixed(plan.RequestsPerSecond, 3),
                    Invariant.Fixed(plan.CostPerHour.Value, 4), Invariant.Fixed(plan.DollarsPerMillionTokens.Value, 6), Invariant.Fixed(e.TimeToFirstToken.Milliseconds, 1),
                    Invariant.Fixed(e.TimePerOutputToken.Milliseconds, 2), Invariant.Text($"{e.Concurrency}"), Invariant.Text($"{batchSize}"),
                    Invariant.Text($"{plan.Replicas}"), Invariant.Text($"{plan.Deployment.GpuCount * plan.Replicas}"),
                ],
            ],
            new HashSet<int> { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 });
        Tables.Write(
            output,
            "Stages (one replica)",
            ["stage", "machine", "GPU", "TP", "layers", "decode (ms)", "prefill (ms)", "stage out tok/s", "max seqs", "memory used", "link to next (GB/s)"],
            e.Stages.Select((s, i) => (IReadOnlyList<string>)
            [
                Invariant.Text($"{i + 1}"), s.Stage.Instance, s.Stage.Gpu.Id, Invariant.Text($"{s.Stage.TensorParallel}"),
                Invariant.Text($"{s.Stage.FirstLayer + 1}-{s.Stage.LastLayer + 1}"), Invariant.Fixed(s.DecodeTime.Milliseconds, 3),
                Invariant.Fixed(s.PrefillTime.Milliseconds, 2), Invariant.Fixed(PlacementWriter.StageOutputRate(e, s), 1), Invariant.Text($"{s.MaxSequences}"),
                Invariant.Text($"{(s.Memory.Weights + s.Memory.Activations + s.Memory.KvCacheUsed) / s.Memory.Capacity * 100:0.0} %"),
                i < plan.Deployment.StageLinks.Count ? Invariant.Fixed(plan.Deployment.StageLinks[i].GigabytesPerSecond, 3) : "-",
            ]),
            new HashSet<int> { 0, 3, 5, 6, 7, 8, 9, 10 });
        Uniform(output, plan, uniform);
    }

    public static void Uniform(TextWriter output, PlacementPlan plan, EvaluatedDeployment? uniform)
    {
        if (uniform is null)
        {
            output.WriteLine("best uniform configuration: none of the pool's uniform TP × PP layouts is feasible.");
            return;
        }

        double best = uniform.Result.DollarsPerMillionTokens.Value;
        double mine = plan.DollarsPerMillionTokens.Value;
        output.WriteLine(Invariant.Text(
            $"best uniform configuration (evaluate --sweep): {uniform.InstanceLabel} TP {uniform.Deployment.Stages[0].TensorParallel} PP {uniform.Deployment.PipelineParallel}, {best:0.000000} $/Mtok at {uniform.Result.CostPerHour.Value:0.####} $/h; this placement {mine:0.000000} $/Mtok ({(best - mine) / best * 100:0.0} % less per token)"));
    }

    private static string Count(long count, string noun) => Invariant.Text($"{count} {noun}{(count == 1 ? string.Empty : "s")}");

    /// <summary>The pipeline as a tree: stage → machine (GPU) → GPU ids.</summary>
    public static void Tree(TextWriter output, PlacementPlan plan)
    {
        Deployment d = plan.Deployment;
        output.WriteLine(Invariant.Text($"pipeline × {plan.Replicas} ({(plan.Replicas == 1 ? "one copy" : "copies on their own machines")}), {d.PipelineParallel} {(d.PipelineParallel == 1 ? "stage" : "stages")}"));
        for (int i = 0; i < d.Stages.Count; i++)
        {
            PipelineStage s = d.Stages[i];
            bool last = i == d.Stages.Count - 1;
            output.WriteLine(Invariant.Text($"{(last ? "└── " : "├── ")}stage {i + 1}: layers {s.FirstLayer + 1}-{s.LastLayer + 1} ({s.LayerCount}), TP {s.TensorParallel}"));
            output.WriteLine(Invariant.Text($"{(last ? "    " : "│   ")}└── {s.Instance} ({s.Gpu.Id}): GPUs {string.Join(",", s.GpuIds)}"));
        }
    }
}
