using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Units;

namespace LlmPlan.Tests.Planning.Placement;

/// <summary>Every placement of a small pool, each built by <see cref="PlacementBuilder.Assemble"/> and predicted by
/// <see cref="PerformanceModel.Evaluate"/>, with the limits checked from the predictions: the reference the exact search
/// must match.</summary>
internal static class PlacementBruteForce
{
    public sealed record Candidate(IReadOnlyList<MachineStage> Stages, PlacementPlan Plan, double Objective);

    /// <summary>Every feasible placement (limits applied), in enumeration order.</summary>
    public static List<Candidate> All(PlacementProblem problem)
    {
        var machines = new List<(CloudInstance Instance, int Ordinal, int Type)>();
        for (int type = 0; type < problem.Pool.Entries.Count; type++)
        {
            PoolEntry entry = problem.Pool.Entries[type];
            for (int k = 0; k < entry.Count; k++)
            {
                machines.Add((entry.Instance, k, type));
            }
        }

        var found = new List<Candidate>();
        var stages = new List<MachineStage>();
        var used = new int[machines.Count];
        int layers = problem.Model.Layers;
        int minLayers = Math.Max(1, problem.Constraints.MinLayersPerStage);
        void Place(int layer)
        {
            if (layer == layers)
            {
                Consider(problem, stages, machines, found);
                return;
            }

            if (stages.Count == problem.Constraints.MaxStages)
            {
                return;
            }

            for (int n = minLayers; layer + n <= layers; n++)
            {
                for (int m = 0; m < machines.Count; m++)
                {
                    foreach (int t in problem.TensorParallelDegrees)
                    {
                        if (used[m] + t > machines[m].Instance.GpuCount || PerformanceModel.ConfigurationProblem(problem.Model, t).Length > 0)
                        {
                            continue;
                        }

                        used[m] += t;
                        stages.Add(new MachineStage(machines[m].Instance, machines[m].Ordinal, t, layer, n));
                        Place(layer + n);
                        stages.RemoveAt(stages.Count - 1);
                        used[m] -= t;
                    }
                }
            }
        }

        Place(0);
        return found;
    }

    private static void Consider(PlacementProblem problem, List<MachineStage> stages, List<(CloudInstance Instance, int Ordinal, int Type)> machines, List<Candidate> found)
    {
        Deployment deployment = PlacementBuilder.Assemble(problem.Model, stages, problem.Weights, problem.KvCache, problem.Network);
        Evaluation evaluation = PerformanceModel.Evaluate(deployment, problem.Workload, problem.Engine);
        if (!evaluation.Feasible)
        {
            return;
        }

        PlacementConstraints limits = problem.Constraints;
        foreach (StagePrediction stage in evaluation.Stages)
        {
            double used = (stage.Memory.Weights + stage.Memory.Activations + stage.Memory.KvCacheUsed) / stage.Memory.Capacity;
            if (used < limits.MinMemoryUtilization)
            {
                return;
            }
        }

        int replicas = 1;
        double single = evaluation.TotalTokensPerSecond.Value;
        double? target = limits.TargetTokensPerSecond?.Value ?? limits.TargetRequestsPerSecond * (problem.Workload.InputTokens + problem.Workload.OutputTokens);
        if (target is { } goal)
        {
            replicas = Math.Max(1, (int)Math.Ceiling((goal / single) - 1e-12));
            if (limits.MaxReplicas is { } max && replicas > max)
            {
                return;
            }

            var machinesPerType = stages.Select(s => (s.Instance.Name, s.MachineIndex)).Distinct().GroupBy(m => m.Name);
            foreach (var type in machinesPerType)
            {
                int available = problem.Pool.Entries.Single(e => e.Instance.Name == type.Key).Count;
                if (type.Count() * replicas > available)
                {
                    return;
                }
            }
        }

        var plan = new PlacementPlan { Deployment = deployment, Evaluation = evaluation, Replicas = replicas };
        double tolerance = 1 + 1e-12;
        if ((limits.MaxCostPerHour is { } cost && plan.CostPerHour.Value > cost.Value * tolerance)
            || (limits.MaxCostPerMillionTokens is { } perMillion && plan.DollarsPerMillionTokens.Value > perMillion.Value * tolerance)
            || (limits.MaxTimeToFirstToken is { } ttft && evaluation.TimeToFirstToken.Value > ttft.Value * tolerance)
            || (limits.MaxTimePerOutputToken is { } tpot && evaluation.TimePerOutputToken.Value > tpot.Value * tolerance)
            || (target is { } need && plan.TotalTokensPerSecond.Value < need * (1 - 1e-12)))
        {
            return;
        }

        if (limits.TokenVolume is { } volume)
        {
            if (limits.MaxTotalCost is { } total && plan.DollarsPerMillionTokens.Value * volume.Value / 1e6 > total.Value * tolerance)
            {
                return;
            }

            if (limits.MaxRuntime is { } runtime && volume.Value / plan.TotalTokensPerSecond.Value > runtime.Value * tolerance)
            {
                return;
            }
        }

        found.Add(new Candidate([.. stages], plan, PlacementPlanner.ObjectiveOf(problem, plan)));
    }

    /// <summary>The best objective: the least $/Mtok, or the most tokens/s or weighted score.</summary>
    public static double Best(PlacementProblem problem, IEnumerable<Candidate> candidates) =>
        problem.Objective is PlacementObjective.CostPerMillionTokens or PlacementObjective.CostPerHour ? candidates.Min(c => c.Objective) : candidates.Max(c => c.Objective);

    /// <summary>The (cost/h, tokens/s) points no other candidate dominates, cheapest first, duplicates once.</summary>
    public static List<(double Cost, double Throughput)> Front(IEnumerable<Candidate> candidates)
    {
        var points = candidates.Select(c => (Cost: c.Plan.CostPerHour.Value, Throughput: c.Plan.TotalTokensPerSecond.Value)).Distinct().ToList();
        return
        [
            .. points.Where(p => !points.Any(q => q != p && q.Cost <= p.Cost && q.Throughput >= p.Throughput))
                .OrderBy(p => p.Cost).ThenByDescending(p => p.Throughput),
        ];
    }
}
