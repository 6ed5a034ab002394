using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.IO;
using LlmPlan.Performance;

namespace LlmPlan.Planning.Sweeps;

/// <summary>One uniform configuration of a sweep: an instance type of the pool, a TP degree and a PP degree.</summary>
/// <param name="Instance">The instance type.</param>
/// <param name="TensorParallel">The TP degree.</param>
/// <param name="PipelineParallel">The number of stages.</param>
public sealed record UniformPoint(CloudInstance Instance, int TensorParallel, int PipelineParallel);

/// <summary>Evaluates every instance family × TP × PP of a pool (the placement seed's eval sweep, done in one process).</summary>
public static class UniformSweep
{
    /// <summary>The TP degrees tried: 1, 2, 4, 8 (those that fit in the instance).</summary>
    public static readonly IReadOnlyList<int> TensorParallelDegrees = [1, 2, 4, 8];

    /// <summary>The PP degrees tried: 1, 2, 4, 8 (those the pool has enough instances for).</summary>
    public static readonly IReadOnlyList<int> PipelineParallelDegrees = [1, 2, 4, 8];

    /// <summary>The grid: for each pool entry in file order, each TP that fits in one instance, each PP whose layout
    /// needs no more instances than the pool has.</summary>
    /// <param name="pool">The pool.</param>
    /// <returns>The points in output order.</returns>
    public static IReadOnlyList<UniformPoint> Points(InstancePool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return
        [
            .. from entry in pool.Entries
               from tp in TensorParallelDegrees
               where tp <= entry.Instance.GpuCount
               from pp in PipelineParallelDegrees
               where UniformLayout.InstancesUsed(entry.Instance, tp, pp) <= entry.Count
               select new UniformPoint(entry.Instance, tp, pp),
        ];
    }

    /// <summary>Evaluates every point of the pool's grid.</summary>
    /// <param name="model">The model.</param>
    /// <param name="pool">The pool.</param>
    /// <param name="workload">The workload.</param>
    /// <param name="weights">The weight precision.</param>
    /// <param name="kvCache">The KV-cache precision.</param>
    /// <param name="engine">The engine settings.</param>
    /// <param name="progress">Receives the points done, or null.</param>
    /// <param name="maxParallelism">The most points evaluated at once; by default the processor count.</param>
    /// <returns>One evaluation per point, in grid order; configurations that cannot be built are infeasible rows.</returns>
    public static IReadOnlyList<EvaluatedDeployment> Run(
        ModelArchitecture model, InstancePool pool, Workload workload, Precision weights, Precision kvCache, EngineSettings engine,
        IProgress<int>? progress = null, int? maxParallelism = null)
    {
        IReadOnlyList<UniformPoint> points = Points(pool);
        return SweepEngine.Run(points, point => Evaluate(model, point, workload, weights, kvCache, engine), maxParallelism, progress);
    }

    /// <summary>The best row of a sweep: the feasible one with the least $ per million tokens (the first of equals), or
    /// null when none is feasible.</summary>
    /// <param name="rows">The sweep's rows.</param>
    /// <returns>The best row, or null.</returns>
    public static EvaluatedDeployment? Best(IEnumerable<EvaluatedDeployment> rows) =>
        rows.Where(r => r.Result.Feasible).MinBy(r => r.Result.DollarsPerMillionTokens.Value);

    private static EvaluatedDeployment Evaluate(ModelArchitecture model, UniformPoint point, Workload workload, Precision weights, Precision kvCache, EngineSettings engine)
    {
        var hardware = Hardware.ForInstance(point.Instance);
        var (deployment, problem) = UniformLayout.Build(model, hardware, point.TensorParallel, point.PipelineParallel, weights, kvCache);

        // Only PP beyond the layer count fails to build here (TP fits by construction); it is reported as infeasible.
        Deployment built = deployment ?? UniformLayout.Build(model, hardware, point.TensorParallel, 1, weights, kvCache).Deployment!;
        Evaluation result = PerformanceModel.Evaluate(built, workload, engine);
        if (deployment is null)
        {
            result = result with { Feasible = false, Reason = problem };
        }

        return new EvaluatedDeployment(built, workload, result, hardware.PriceSource);
    }
}
