using LlmPlan.Optimization;
using LlmPlan.Planning.Fleet;
using LlmPlan.Units;

namespace LlmPlan.Tests.Planning.Fleet;

/// <summary>Fleet problems written out as matrices, and two independent references: Mélange's own formulation (one
/// binary per slice and option) and a brute force over every split of every bucket.</summary>
public static class FleetTestProblems
{
    public static FleetProblem Build(double[][] distribution, double rate, int sliceFactor, params (string Name, double Cost, double[][] Tputs)[] gpus)
    {
        var buckets = new List<FleetBucket>();
        for (int i = 0; i < distribution.Length; i++)
        {
            for (int j = 0; j < distribution[i].Length; j++)
            {
                buckets.Add(new FleetBucket { Label = $"(input {i + 1}, output {j + 1})", Row = i, Column = j, Rate = RequestsPerSecond.FromRequestsPerSecond(distribution[i][j] * rate) });
            }
        }

        return new FleetProblem
        {
            Buckets = buckets,
            SliceFactor = sliceFactor,
            Options = [.. gpus.Select(g => new FleetOption
            {
                Name = g.Name,
                CostPerHour = DollarsPerHour.FromDollarsPerHour(g.Cost),
                Capacity = [.. g.Tputs.SelectMany(row => row).Select(RequestsPerSecond.FromRequestsPerSecond)],
            })],
        };
    }

    /// <summary>Mélange's example.json (spec A4, T3): A10G and A100-80GB, 2 × 2 buckets.</summary>
    public static FleetProblem MelangeExample(double rate = 30, int sliceFactor = 1) => Build(
        [[0.2, 0.1], [0.5, 0.2]], rate, sliceFactor,
        ("A10G", 1.01, [[2, 1], [5, 2]]),
        ("A100-80GB", 3.67, [[20, 20], [40, 20]]));

    /// <summary>Mélange's original formulation: x(s, g) binary for every slice s and option g.</summary>
    public static double PerSliceOptimum(FleetProblem problem)
    {
        var model = new LinearModel("per-slice");
        var units = problem.Options.Select(o => model.AddInteger($"y_{o.Name}", o.MinCount, o.MaxCount ?? double.PositiveInfinity, o.CostPerHour.Value)).ToArray();
        var load = problem.Options.Select(_ => new List<LinearTerm>()).ToArray();
        for (int b = 0; b < problem.Buckets.Count; b++)
        {
            if (problem.Buckets[b].Rate.Value <= 0)
            {
                continue;
            }

            for (int s = 0; s < problem.SliceFactor; s++)
            {
                var assign = new List<LinearTerm>();
                for (int g = 0; g < problem.Options.Count; g++)
                {
                    double capacity = problem.Options[g].Capacity[b].Value;
                    if (capacity > 0)
                    {
                        Variable x = model.AddBinary($"x_{b}_{s}_{g}");
                        assign.Add(x.AsTerm());
                        load[g].Add(problem.Buckets[b].Rate.Value / problem.SliceFactor / capacity * x);
                    }
                }

                model.AddEqual($"slice_{b}_{s}", assign, 1);
            }
        }

        for (int g = 0; g < units.Length; g++)
        {
            model.AddLessOrEqual($"cap_{g}", load[g].Append(-problem.Utilization * units[g]), 0);
        }

        SolverResult r = LlmPlan.Optimization.Cbc.CbcSolver.Instance.Solve(model);
        return r.Status == SolverStatus.Optimal ? r.Objective : double.PositiveInfinity;
    }

    /// <summary>Every way to split every bucket's slices over the options, each priced with the fewest units that carry
    /// it.</summary>
    public static double BruteForceOptimum(FleetProblem problem)
    {
        int options = problem.Options.Count;
        var splits = Compositions(problem.SliceFactor, options).ToList();
        var active = Enumerable.Range(0, problem.Buckets.Count).Where(b => problem.Buckets[b].Rate.Value > 0).ToArray();
        double best = double.PositiveInfinity;
        var choice = new int[active.Length];
        while (true)
        {
            var loads = new double[options];
            bool ok = true;
            for (int k = 0; k < active.Length && ok; k++)
            {
                int b = active[k];
                int[] split = splits[choice[k]];
                for (int g = 0; g < options; g++)
                {
                    if (split[g] == 0)
                    {
                        continue;
                    }

                    double capacity = problem.Options[g].Capacity[b].Value;
                    if (capacity <= 0)
                    {
                        ok = false;
                        break;
                    }

                    loads[g] += problem.Buckets[b].Rate.Value * split[g] / problem.SliceFactor / capacity;
                }
            }

            if (ok)
            {
                double cost = 0;
                for (int g = 0; g < options && ok; g++)
                {
                    FleetOption o = problem.Options[g];
                    int count = Math.Max(o.MinCount, (int)Math.Max(0, Math.Ceiling((loads[g] / problem.Utilization) - 1e-9)));
                    ok = o.MaxCount is null || count <= o.MaxCount;
                    cost += count * o.CostPerHour.Value;
                }

                if (ok)
                {
                    best = Math.Min(best, cost);
                }
            }

            int at = 0;
            while (at < choice.Length && ++choice[at] == splits.Count)
            {
                choice[at++] = 0;
            }

            if (at == choice.Length)
            {
                return best;
            }
        }
    }

    private static IEnumerable<int[]> Compositions(int total, int parts)
    {
        if (parts == 1)
        {
            yield return [total];
            yield break;
        }

        for (int first = 0; first <= total; first++)
        {
            foreach (int[] rest in Compositions(total - first, parts - 1))
            {
                yield return [first, .. rest];
            }
        }
    }
}
