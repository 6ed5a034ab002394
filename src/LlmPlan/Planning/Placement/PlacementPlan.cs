using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Planning.Placement;

/// <summary>Whether the search found a placement.</summary>
public enum PlacementStatus
{
    /// <summary>The placement is optimal under the performance model: no placement of the pool does better.</summary>
    Optimal,

    /// <summary>No placement of the pool meets every limit; the result says which limit binds and by how much.</summary>
    Infeasible,
}

/// <summary>A placement: one pipeline (its stages on machines of the pool) and how many independent copies of it run.</summary>
public sealed record PlacementPlan
{
    /// <summary>Gets one copy of the pipeline: stages with machines (<c>name#k</c>), GPU ids, TP degrees and layers.</summary>
    public required Deployment Deployment { get; init; }

    /// <summary>Gets the prediction for one copy.</summary>
    public required Evaluation Evaluation { get; init; }

    /// <summary>Gets the number of copies (1 unless a target rate asks for more); each runs on its own machines.</summary>
    public required int Replicas { get; init; }

    /// <summary>Gets the price of all copies per hour.</summary>
    public DollarsPerHour CostPerHour => Deployment.CostPerHour * Replicas;

    /// <summary>Gets the prompt plus generated tokens per second of all copies.</summary>
    public TokensPerSecond TotalTokensPerSecond => Evaluation.TotalTokensPerSecond * Replicas;

    /// <summary>Gets the generated tokens per second of all copies.</summary>
    public TokensPerSecond OutputTokensPerSecond => Evaluation.OutputTokensPerSecond * Replicas;

    /// <summary>Gets the completed requests per second of all copies.</summary>
    public double RequestsPerSecond => Evaluation.RequestsPerSecond * Replicas;

    /// <summary>Gets the cost of one million tokens (prompt plus generated); the same for any number of copies.</summary>
    public DollarsPerMillionTokens DollarsPerMillionTokens => Evaluation.DollarsPerMillionTokens;

    /// <summary>Gets the machines of one copy, <c>name#k</c>, in order of first use.</summary>
    public IReadOnlyList<string> Machines => [.. Deployment.Stages.Select(s => s.Instance).Distinct(StringComparer.Ordinal)];
}

/// <summary>What the search did.</summary>
/// <param name="Cells">The (stages, concurrency) cells whose bound did not rule them out.</param>
/// <param name="Nodes">The partial pipelines extended.</param>
/// <param name="Leaves">The complete pipelines evaluated.</param>
public sealed record PlacementSearchStatistics(long Cells, long Nodes, long Leaves);

/// <summary>The outcome of a placement search.</summary>
public sealed record PlacementResult
{
    /// <summary>Gets the status.</summary>
    public required PlacementStatus Status { get; init; }

    /// <summary>Gets the optimal placement, or null when infeasible.</summary>
    public PlacementPlan? Plan { get; init; }

    /// <summary>Gets why no placement exists (which limit, by how much); empty when optimal.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>Gets the objective value of the plan: $/Mtok, tokens/s, or the weighted score, as optimised.</summary>
    public double Objective { get; init; }

    /// <summary>Gets what the search did.</summary>
    public required PlacementSearchStatistics Statistics { get; init; }

    /// <summary>Gets the time the search took (the one output that differs between identical runs).</summary>
    public required Seconds SolveTime { get; init; }
}
