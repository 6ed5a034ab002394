using LlmPlan.Planning.Sweeps;

namespace LlmPlan.Planning.Placement;

/// <summary>The placement problem at several batch sizes (the engine's sequence cap, vLLM <c>max_num_seqs</c>), solved on
/// the shared sweep engine: the placement seed's <c>run-batch-sweep.sh</c>, in one process.</summary>
public static class PlacementBatchSweep
{
    /// <summary>The seed's batch options: min, 2·min, 4·min … while at most max, then max if not reached.</summary>
    /// <param name="min">The smallest batch, at least 1.</param>
    /// <param name="max">The largest batch, at least <paramref name="min"/>.</param>
    /// <returns>The batch sizes, ascending.</returns>
    public static IReadOnlyList<int> Doubling(int min, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(min, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        var sizes = new List<int>();
        for (long b = min; b <= max; b *= 2)
        {
            sizes.Add((int)b);
        }

        if (sizes[^1] != max)
        {
            sizes.Add(max);
        }

        return sizes;
    }

    /// <summary>Solves the problem once per batch size, in parallel.</summary>
    /// <param name="problem">The problem; its engine's sequence cap is replaced by each batch size.</param>
    /// <param name="batchSizes">The batch sizes.</param>
    /// <param name="progress">Receives the number of batch sizes done, or null.</param>
    /// <param name="maxParallelism">The most solves at once; by default the processor count.</param>
    /// <returns>One result per batch size, in the given order.</returns>
    public static IReadOnlyList<PlacementResult> Run(PlacementProblem problem, IReadOnlyList<int> batchSizes, IProgress<int>? progress = null, int? maxParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(batchSizes);
        return SweepEngine.Run(batchSizes, b => PlacementPlanner.Solve(AtBatch(problem, b)), maxParallelism, progress);
    }

    /// <summary>The problem with the engine's sequence cap set to a batch size.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="batchSize">The batch size.</param>
    /// <returns>The problem at that batch size.</returns>
    public static PlacementProblem AtBatch(PlacementProblem problem, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem with { Engine = problem.Engine with { MaxSequences = batchSize } };
    }

    /// <summary>The index of the best optimal result by the problem's objective (ties to the first, the smaller batch
    /// when sizes ascend), or -1 when none is optimal.</summary>
    /// <param name="problem">The problem.</param>
    /// <param name="results">The results.</param>
    /// <returns>The index, or -1.</returns>
    public static int Best(PlacementProblem problem, IReadOnlyList<PlacementResult> results)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(results);
        bool minimise = problem.Objective is PlacementObjective.CostPerMillionTokens or PlacementObjective.CostPerHour;
        int best = -1;
        for (int i = 0; i < results.Count; i++)
        {
            if (results[i].Status != PlacementStatus.Optimal)
            {
                continue;
            }

            if (best < 0 || (minimise ? results[i].Objective < results[best].Objective : results[i].Objective > results[best].Objective))
            {
                best = i;
            }
        }

        return best;
    }
}
