using LlmPlan.Optimization;

namespace LlmPlan.Planning.Robust;

/// <summary>Which robust allocation model to build (docs/robust.md).</summary>
public enum FormulationKind
{
    /// <summary>The model that produced the seed's published results: constraints R1–R17 with u_i ≤ 0.01·λ_i, the delay
    /// limit multiplied by the TP degree of the last (model, tier) pair, rental counted once per query class in the
    /// budget, and no nominal delay cost.</summary>
    Seed,

    /// <summary>The corrected model: rental counted once, delay Σ d·r·x/n ≤ Δ_i over the chosen TP degree n, the nominal
    /// delay cost next to the robust deviation, u_i ≤ 1, no redundant variables.</summary>
    Corrected,
}

/// <summary>The options of a robust solve beyond the instance.</summary>
public sealed record RobustOptions
{
    /// <summary>Gets the formulation.</summary>
    public FormulationKind Formulation { get; init; } = FormulationKind.Corrected;

    /// <summary>Gets a value indicating whether a query class may split its traffic over several (model, tier) pairs
    /// (corrected formulation only; the seed routes each class to one pair).</summary>
    public bool SplitTraffic { get; init; }

    /// <summary>Gets the delay uncertainty budget Γ_d to use instead of the instance's, or null.</summary>
    public double? GammaDelay { get; init; }

    /// <summary>Gets the error uncertainty budget Γ_e to use instead of the instance's, or null.</summary>
    public double? GammaError { get; init; }

    /// <summary>Gets a value indicating whether the problem is deterministic (Γ_d = Γ_e = 0).</summary>
    public bool Deterministic { get; init; }

    /// <summary>Gets the effective Γ_d.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>The budget.</returns>
    public double DelayBudget(RobustInstance instance) => Deterministic ? 0 : GammaDelay ?? instance.Scalars.GammaDelay;

    /// <summary>Gets the effective Γ_e.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>The budget.</returns>
    public double ErrorBudget(RobustInstance instance) => Deterministic ? 0 : GammaError ?? instance.Scalars.GammaError;
}

/// <summary>The variables of a built robust model, for reading a solution.</summary>
public sealed class RobustVariables
{
    /// <summary>Gets x[i][j][k]: the share of class i served by model j on tier k.</summary>
    public required Variable[,,] Share { get; init; }

    /// <summary>Gets z[i][j][k]: class i is routed to (j, k).</summary>
    public required Variable[,,] Routed { get; init; }

    /// <summary>Gets y[j][k]: GPUs of tier k rented for model j.</summary>
    public required Variable[,] Gpus { get; init; }

    /// <summary>Gets q[j][k]: (j, k) is deployed.</summary>
    public required Variable[,] Deployed { get; init; }

    /// <summary>Gets w[j][k][n]: (j, k) runs at the n-th TP degree.</summary>
    public required Variable[,,] Tp { get; init; }

    /// <summary>Gets v[i][j][k][n] = w·x.</summary>
    public required Variable[,,,] ShareAtTp { get; init; }

    /// <summary>Gets a[i][j][k][n] = w·z: class i is routed to (j, k) running at the n-th TP degree (the binaries of
    /// single routing, where z = Σ_n a), or null when traffic may split (z is binary there).</summary>
    public Variable[,,,]? RoutedAtTp { get; init; }

    /// <summary>Gets u[i]: the unmet share of class i.</summary>
    public required Variable[] Unmet { get; init; }

    /// <summary>Gets ϱ: the worst-case delay-penalty deviation.</summary>
    public required Variable RobustDelay { get; init; }
}
