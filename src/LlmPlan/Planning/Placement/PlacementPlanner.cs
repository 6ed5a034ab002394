using System.Diagnostics;
using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Planning.Placement;

/// <summary>Exact heterogeneous placement: the best pipeline of stages (machine type, TP degree, layer range) over a
/// pool of machines under the performance model, or why none meets the limits (docs/placement.md).</summary>
public static class PlacementPlanner
{
    /// <summary>Finds the optimal placement.</summary>
    /// <param name="problem">The problem.</param>
    /// <returns>The optimum with its prediction, or infeasible with the binding limit.</returns>
    public static PlacementResult Solve(PlacementProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var clock = Stopwatch.StartNew();
        string structural = StructuralProblem(problem);
        if (structural.Length > 0)
        {
            return Infeasible(structural, new PlacementSearchStatistics(0, 0, 0), clock);
        }

        var search = new PlacementSearch(problem);
        PlacementSearch.Snapshot? best = search.Optimum();
        if (best is null)
        {
            return Infeasible(Diagnose(problem), search.Statistics, clock);
        }

        PlacementPlan plan = ToPlan(problem, best);
        return new PlacementResult
        {
            Status = PlacementStatus.Optimal,
            Plan = plan,
            Objective = ObjectiveOf(problem, plan),
            Statistics = search.Statistics,
            SolveTime = Seconds.FromSeconds(clock.Elapsed.TotalSeconds),
        };
    }

    /// <summary>Finds every placement that no other beats on both cost per hour and tokens per second (one copy, within
    /// the limits), cheapest first. It replaces the placement seed's budget enumeration and cannot miss a point.</summary>
    /// <param name="problem">The problem; a target rate is not allowed here.</param>
    /// <returns>The frontier (empty when no placement meets the limits) and what the search did.</returns>
    public static (IReadOnlyList<PlacementPlan> Frontier, PlacementSearchStatistics Statistics) Frontier(PlacementProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        if (problem.Constraints.TargetTokensPerSecond is not null || problem.Constraints.TargetRequestsPerSecond is not null)
        {
            throw new ArgumentException("The frontier is of single pipelines; remove the target rate.", nameof(problem));
        }

        if (StructuralProblem(problem).Length > 0)
        {
            return ([], new PlacementSearchStatistics(0, 0, 0));
        }

        // The ε-constraint method: the fastest placement within a cost cap, then the cheapest that is as fast; that is a
        // frontier point, and the next cap is just below its cost. Each step is an exact search, so no point is missed.
        var frontier = new List<PlacementPlan>();
        long cells = 0, nodes = 0, leaves = 0;
        DollarsPerHour? cap = problem.Constraints.MaxCostPerHour;
        while (true)
        {
            var fastest = new PlacementSearch(problem with
            {
                Objective = PlacementObjective.Throughput,
                Constraints = problem.Constraints with { MaxCostPerHour = cap },
            });
            PlacementSearch.Snapshot? top = fastest.Optimum();
            Add(fastest.Statistics);
            if (top is null)
            {
                break;
            }

            var cheapest = new PlacementSearch(problem with
            {
                Objective = PlacementObjective.CostPerHour,
                Constraints = problem.Constraints with
                {
                    MaxCostPerHour = cap,
                    MinTokensPerSecond = TokensPerSecond.FromTokensPerSecond(top.Throughput * (1 - FrontierTolerance)),
                },
            });
            PlacementSearch.Snapshot point = cheapest.Optimum() ?? top;
            Add(cheapest.Statistics);
            frontier.Add(ToPlan(problem, point));
            cap = DollarsPerHour.FromDollarsPerHour(point.Cost * (1 - FrontierTolerance));
        }

        frontier.Reverse();
        return (frontier, new PlacementSearchStatistics(cells, nodes, leaves));

        void Add(PlacementSearchStatistics s)
        {
            cells += s.Cells;
            nodes += s.Nodes;
            leaves += s.Leaves;
        }
    }

    /// <summary>The relative gap below which two frontier points' costs or throughputs count as equal.</summary>
    private const double FrontierTolerance = 1e-9;

    /// <summary>The objective value of a plan as the problem defines it.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="plan">The plan.</param>
    /// <returns>$/Mtok, tokens/s, $/h, or the weighted score.</returns>
    public static double ObjectiveOf(PlacementProblem problem, PlacementPlan plan)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(plan);
        return problem.Objective switch
        {
            PlacementObjective.CostPerMillionTokens => plan.DollarsPerMillionTokens.Value,
            PlacementObjective.Throughput => plan.TotalTokensPerSecond.Value,
            PlacementObjective.CostPerHour => plan.CostPerHour.Value,
            _ => (plan.TotalTokensPerSecond.Value / problem.ThroughputNormalization)
                - (problem.CostWeight / (1 - problem.CostWeight) * plan.CostPerHour.Value / problem.CostNormalization),
        };
    }

    private static PlacementPlan ToPlan(PlacementProblem problem, PlacementSearch.Snapshot snapshot)
    {
        Deployment deployment = PlacementBuilder.Assemble(problem.Model, snapshot.Stages, problem.Weights, problem.KvCache, problem.Network);
        Evaluation evaluation = PerformanceModel.Evaluate(deployment, problem.Workload, problem.Engine);
        return new PlacementPlan { Deployment = deployment, Evaluation = evaluation, Replicas = snapshot.Replicas };
    }

    private static PlacementResult Infeasible(string reason, PlacementSearchStatistics statistics, Stopwatch clock) => new()
    {
        Status = PlacementStatus.Infeasible,
        Reason = reason,
        Statistics = statistics,
        SolveTime = Seconds.FromSeconds(clock.Elapsed.TotalSeconds),
    };

    /// <summary>Problems no search can get around: the context, the TP degrees, the stage counts.</summary>
    private static string StructuralProblem(PlacementProblem problem)
    {
        var model = problem.Model;
        int tokens = problem.Workload.InputTokens + problem.Workload.OutputTokens;
        if (tokens > model.MaxContext)
        {
            return Invariant.Text($"a sequence of {problem.Workload.InputTokens} + {problem.Workload.OutputTokens} = {tokens} tokens exceeds the context of {model.Id} ({model.MaxContext} tokens) by {tokens - model.MaxContext}.");
        }

        if (problem.Pool.Entries.Count == 0)
        {
            return "the pool has no machines.";
        }

        bool anyDegree = problem.Pool.Entries.Any(e => problem.TensorParallelDegrees.Any(t => t <= e.Instance.GpuCount && PerformanceModel.ConfigurationProblem(model, t).Length == 0));
        if (!anyDegree)
        {
            return Invariant.Text($"no TP degree in {{{string.Join(", ", problem.TensorParallelDegrees)}}} both fits a machine of the pool and divides the {model.AttentionHeads} attention heads and {model.KvHeads} KV heads of {model.Id}.");
        }

        int minLayers = Math.Max(1, problem.Constraints.MinLayersPerStage);
        if (minLayers > model.Layers)
        {
            return Invariant.Text($"a stage needs at least {minLayers} layers but {model.Id} has {model.Layers}; lower the minimum layers per stage.");
        }

        return problem.Constraints.MaxStages < 1 ? "the maximum number of pipeline stages is below 1." : string.Empty;
    }

    /// <summary>Says which limit makes the problem infeasible, and by how much, by solving it without limits and with
    /// each limit alone.</summary>
    private static string Diagnose(PlacementProblem problem)
    {
        PlacementConstraints limits = problem.Constraints;
        var structural = new PlacementConstraints { MaxStages = limits.MaxStages, MinLayersPerStage = limits.MinLayersPerStage };
        PlacementProblem free = problem with { Constraints = structural, Objective = PlacementObjective.CostPerMillionTokens };
        PlacementSearch.Snapshot? cheapest = new PlacementSearch(free).Optimum();
        if (cheapest is null)
        {
            return MemoryReason(problem);
        }

        PlacementPlan cheap = ToPlan(free, cheapest);
        PlacementSearch.Snapshot? fastestSnapshot = new PlacementSearch(free with { Objective = PlacementObjective.Throughput }).Optimum();
        PlacementPlan fastest = ToPlan(free, fastestSnapshot!);
        var reasons = new List<string>();
        void Check(PlacementConstraints alone, string sentence)
        {
            if (new PlacementSearch(free with { Constraints = alone }).Optimum() is null)
            {
                reasons.Add(sentence);
            }
        }

        if (limits.MinMemoryUtilization > 0)
        {
            Check(structural with { MinMemoryUtilization = limits.MinMemoryUtilization }, Invariant.Text($"no placement uses at least {limits.MinMemoryUtilization:0.###} of every GPU's memory; the cheapest placement's least-used GPU uses {LeastUtilization(cheap):0.###}. Lower min_memory_utilization."));
        }

        if (limits.MaxCostPerHour is { } maxCost)
        {
            Check(structural with { MaxCostPerHour = maxCost }, Invariant.Text($"no placement costs at most {maxCost.Value:0.####} $/h; the cheapest per token costs {cheap.CostPerHour.Value:0.####} $/h ({cheap.CostPerHour.Value - maxCost.Value:0.####} $/h over). Raise the hourly budget."));
        }

        if (limits.MaxCostPerMillionTokens is { } maxPerMillion)
        {
            Check(structural with { MaxCostPerMillionTokens = maxPerMillion }, Invariant.Text($"no placement costs at most {maxPerMillion.Value:0.######} $ per million tokens; the least any reaches is {cheap.DollarsPerMillionTokens.Value:0.######} ({cheap.DollarsPerMillionTokens.Value - maxPerMillion.Value:0.######} over)."));
        }

        if (limits.MaxTotalCost is { } total && limits.TokenVolume is { } volume)
        {
            double least = cheap.DollarsPerMillionTokens.Value * volume.Value / 1e6;
            Check(structural with { MaxTotalCost = total, TokenVolume = volume }, Invariant.Text($"no placement processes {volume.Value:0} tokens for at most {total.Value:0.##} $; the least it can cost is {least:0.##} $ ({least - total.Value:0.##} $ over)."));
        }

        if (limits.MaxRuntime is { } runtime && limits.TokenVolume is { } job)
        {
            double hours = job.Value / fastest.TotalTokensPerSecond.Value / 3600.0;
            Check(structural with { MaxRuntime = runtime, TokenVolume = job }, Invariant.Text($"no placement processes {job.Value:0} tokens within {runtime.Hours:0.###} h; the fastest takes {hours:0.###} h ({hours - runtime.Hours:0.###} h over) at {fastest.TotalTokensPerSecond.Value:0.#} tokens/s."));
        }

        if (limits.MaxTimeToFirstToken is { } ttft)
        {
            Check(structural with { MaxTimeToFirstToken = ttft }, Invariant.Text($"no placement reaches a TTFT of {ttft.Milliseconds:0.#} ms; the cheapest per token has {cheap.Evaluation.TimeToFirstToken.Milliseconds:0.#} ms. Raise the TTFT limit or cap the concurrency."));
        }

        if (limits.MaxTimePerOutputToken is { } tpot)
        {
            Check(structural with { MaxTimePerOutputToken = tpot }, Invariant.Text($"no placement reaches a TPOT of {tpot.Milliseconds:0.##} ms; the cheapest per token has {cheap.Evaluation.TimePerOutputToken.Milliseconds:0.##} ms. Raise the TPOT limit or cap the concurrency."));
        }

        if (limits.TargetTokensPerSecond is not null || limits.TargetRequestsPerSecond is not null)
        {
            var alone = structural with { TargetTokensPerSecond = limits.TargetTokensPerSecond, TargetRequestsPerSecond = limits.TargetRequestsPerSecond, MaxReplicas = limits.MaxReplicas };
            string target = limits.TargetTokensPerSecond is { } tps ? Invariant.Text($"{tps.Value:0.#} tokens/s") : Invariant.Text($"{limits.TargetRequestsPerSecond:0.###} requests/s");
            Check(alone, Invariant.Text($"no number of copies of one pipeline reaches {target}{(limits.MaxReplicas is { } max ? Invariant.Text($" with at most {max} {(max == 1 ? "replica" : "replicas")}") : string.Empty)} on this pool; the fastest single pipeline gives {fastest.TotalTokensPerSecond.Value:0.#} tokens/s ({fastest.RequestsPerSecond:0.###} requests/s). Add machines or raise the replica limit."));
        }

        return reasons.Count switch
        {
            0 => "no placement meets all the limits together, though each alone can be met: " + Invariant.Text($"the cheapest per token without them costs {cheap.DollarsPerMillionTokens.Value:0.######} $/Mtok at {cheap.CostPerHour.Value:0.####} $/h, TTFT {cheap.Evaluation.TimeToFirstToken.Milliseconds:0.#} ms, TPOT {cheap.Evaluation.TimePerOutputToken.Milliseconds:0.##} ms. Relax one of them."),
            _ => string.Join(" ", reasons),
        };
    }

    private static double LeastUtilization(PlacementPlan plan) =>
        plan.Evaluation.Stages.Min(s => (s.Memory.Weights + s.Memory.Activations + s.Memory.KvCacheUsed) / s.Memory.Capacity);

    /// <summary>Why no pipeline fits at all: the model against the pool's memory.</summary>
    private static string MemoryReason(PlacementProblem problem)
    {
        var model = problem.Model;
        Bytes weights = MemoryModel.WeightsPerGpu(model, problem.Weights, 1, model.Layers, true, true);
        Bytes usable = Bytes.FromBytes(problem.Pool.Entries.Sum(e => e.Count * e.Instance.GpuCount * e.Instance.Gpu.Memory.Value) * problem.Engine.GpuMemoryUtilization);
        int maxStages = Math.Min(problem.Constraints.MaxStages, model.Layers / Math.Max(1, problem.Constraints.MinLayersPerStage));
        return Invariant.Text($"no pipeline of at most {maxStages} stages on this pool holds {model.Id}: its weights need {weights.Gibibytes:0.00} GiB in {problem.Weights.Name()} ({problem.Pool.GpuCount} GPUs offer {usable.Gibibytes:0.00} GiB usable in all, at {problem.Engine.GpuMemoryUtilization:0.00} of their memory), and every stage also needs activations and the KV cache of one sequence of {problem.Workload.InputTokens + problem.Workload.OutputTokens} tokens on each GPU. Add larger GPUs or machines, allow more stages, or use a smaller precision.");
    }
}
