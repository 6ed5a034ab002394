namespace LlmPlan.Planning.Sweeps;

/// <summary>Runs one evaluation per point of a grid, in parallel, and returns the results in point order.</summary>
/// <remarks>Every planner's sweep (uniform configurations, batch sizes, sensitivity grids) goes through here, so the
/// parallelism, ordering and progress reporting are written once. Results are in the order of the points whatever
/// the scheduling, so output is deterministic.</remarks>
public static class SweepEngine
{
    /// <summary>Evaluates every point.</summary>
    /// <typeparam name="TPoint">A grid point.</typeparam>
    /// <typeparam name="TResult">Its result.</typeparam>
    /// <param name="points">The points, in output order.</param>
    /// <param name="evaluate">Evaluates one point; must be thread-safe (pure functions are).</param>
    /// <param name="maxParallelism">The most points evaluated at once (at least 1); by default the processor count.</param>
    /// <param name="progress">Receives the number of points done after each one, or null.</param>
    /// <param name="cancellationToken">Stops the sweep.</param>
    /// <returns>The results, one per point, in point order.</returns>
    public static IReadOnlyList<TResult> Run<TPoint, TResult>(
        IReadOnlyList<TPoint> points,
        Func<TPoint, TResult> evaluate,
        int? maxParallelism = null,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(evaluate);
        int parallelism = maxParallelism ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        var results = new TResult[points.Count];
        int done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        Parallel.For(0, points.Count, options, i =>
        {
            results[i] = evaluate(points[i]);
            int count = Interlocked.Increment(ref done);
            progress?.Report(count);
        });
        return results;
    }
}
