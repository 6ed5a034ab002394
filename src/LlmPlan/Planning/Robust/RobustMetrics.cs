namespace LlmPlan.Planning.Robust;

/// <summary>The summary figures of one solved allocation that a sensitivity analysis tabulates: the seed's
/// <c>extract_metrics</c> (spec §4) without its metric bugs (spec §6): every share counted (not only x &gt; 0.01),
/// delays as the formulation limits them, the real budget row and the TP-aware memory per GPU.</summary>
/// <param name="Allocations">Routes with a share above <see cref="RobustPlanner.ShareTolerance"/> (the seed's |x|).</param>
/// <param name="GpuConfigs">Deployed (model, tier) pairs (the seed's |y|; also its num_tp_configs, |w|).</param>
/// <param name="TotalGpus">GPUs rented, Σ TP.</param>
/// <param name="UnmetClasses">Classes with an unmet share above <see cref="RobustPlanner.ShareTolerance"/>.</param>
/// <param name="TotalUnmetFraction">Σ u over the classes.</param>
/// <param name="AverageDelay">The share-weighted nominal delay per query over every route, Σ d̄·r·x/n ÷ Σ x, in ms
/// (n = 1 in the seed formulation, whose delay does not shrink with TP).</param>
/// <param name="AverageError">The share-weighted nominal error rate, Σ ē·x ÷ Σ x.</param>
/// <param name="TpCounts">The deployed pairs at each TP degree, in the order of <see cref="RobustInstance.TpDegrees"/>.</param>
/// <param name="AverageTp">The mean TP degree of the deployed pairs (the seed's GPU-weighted Σ n² ÷ Σ n is larger).</param>
/// <param name="BudgetUsed">The budget row's left-hand side as the formulation writes it (rental counted once per class
/// in the seed formulation), in $.</param>
/// <param name="Budget">The budget δ, in $.</param>
/// <param name="MaxMemoryUtilization">The highest memory use per GPU over the deployed pairs (weights and KV cache
/// divided by TP) as a fraction of the tier's memory; 0 when nothing is deployed.</param>
public sealed record RobustMetrics(
    int Allocations,
    int GpuConfigs,
    int TotalGpus,
    int UnmetClasses,
    double TotalUnmetFraction,
    double AverageDelay,
    double AverageError,
    IReadOnlyList<int> TpCounts,
    double AverageTp,
    double BudgetUsed,
    double Budget,
    double MaxMemoryUtilization)
{
    /// <summary>Gets the budget use, <see cref="BudgetUsed"/> ÷ δ (the seed divides the objective instead).</summary>
    public double BudgetUtilization => BudgetUsed / Budget;

    /// <summary>The metrics of a solution.</summary>
    /// <param name="solution">A solution that is not infeasible.</param>
    /// <returns>The metrics.</returns>
    /// <exception cref="ArgumentException">The solution is infeasible.</exception>
    public static RobustMetrics Of(RobustSolution solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        if (solution.Status == RobustStatus.Infeasible)
        {
            throw new ArgumentException("An infeasible solution has no metrics.", nameof(solution));
        }

        RobustInstance instance = solution.Instance;
        var deployments = solution.Deployments;
        int Tp(RobustRoute r) => RobustFormulation.DelayDivisor(solution.Options.Formulation, deployments, r);
        double shares = solution.Routes.Sum(r => r.Share);
        double Average(Func<RobustRoute, double> value) => shares > 0 ? solution.Routes.Sum(r => value(r) * r.Share) / shares : 0;

        // The constraint uses are the model's rows at the solution: the budget row first, then per deployed pair.
        ConstraintUse budget = solution.Constraints.First(c => c.Name.StartsWith("budget", StringComparison.Ordinal));
        var memory = solution.Constraints.Where(c => c.Name.StartsWith("memory per GPU", StringComparison.Ordinal)).Select(c => c.Used / c.Limit).ToList();
        return new RobustMetrics(
            solution.Routes.Count,
            deployments.Count,
            deployments.Sum(d => d.TensorParallel),
            solution.Unmet.Count(u => u > RobustPlanner.ShareTolerance),
            solution.Unmet.Sum(),
            Average(r => instance.DelayNominal[r.Class, r.Model, r.Tier] * instance.QueryClasses[r.Class].Tokens / Tp(r)),
            Average(r => instance.ErrorNominal[r.Class, r.Model, r.Tier]),
            [.. instance.TpDegrees.Select(n => deployments.Count(d => d.TensorParallel == n))],
            deployments.Count > 0 ? deployments.Average(d => d.TensorParallel) : 0,
            budget.Used,
            budget.Limit,
            memory.Count > 0 ? memory.Max() : 0);
    }
}
