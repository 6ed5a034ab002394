using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Planning.Placement;

/// <summary>What the placement search optimises.</summary>
public enum PlacementObjective
{
    /// <summary>The least dollars per million tokens (prompt plus generated).</summary>
    CostPerMillionTokens,

    /// <summary>The most tokens per second (prompt plus generated).</summary>
    Throughput,

    /// <summary>The least dollars per hour (all replicas): the cheapest plan that meets a target rate and the SLOs.</summary>
    CostPerHour,

    /// <summary>The placement seed's weighted objective: the most tokens/s ÷ T_norm − w/(1 − w) × $/h ÷ C_norm.</summary>
    Weighted,
}

/// <summary>Limits a placement must respect; null means no limit.</summary>
public sealed record PlacementConstraints
{
    /// <summary>Gets the most pipeline stages (default 8).</summary>
    public int MaxStages { get; init; } = 8;

    /// <summary>Gets the fewest layers a stage holds (default 1).</summary>
    public int MinLayersPerStage { get; init; } = 1;

    /// <summary>Gets the least memory each GPU uses (weights, activations and the KV cache of the running sequences),
    /// as a fraction of its capacity, in [0, 1] (default 0).</summary>
    public double MinMemoryUtilization { get; init; }

    /// <summary>Gets the most the placement may cost per hour (all replicas).</summary>
    public DollarsPerHour? MaxCostPerHour { get; init; }

    /// <summary>Gets the most a million tokens may cost.</summary>
    public DollarsPerMillionTokens? MaxCostPerMillionTokens { get; init; }

    /// <summary>Gets the tokens (prompt plus generated) of a job that <see cref="MaxTotalCost"/> and
    /// <see cref="MaxRuntime"/> refer to.</summary>
    public Tokens? TokenVolume { get; init; }

    /// <summary>Gets the most the job of <see cref="TokenVolume"/> tokens may cost.</summary>
    public Dollars? MaxTotalCost { get; init; }

    /// <summary>Gets the longest the job of <see cref="TokenVolume"/> tokens may run.</summary>
    public Seconds? MaxRuntime { get; init; }

    /// <summary>Gets the longest time to first token.</summary>
    public Seconds? MaxTimeToFirstToken { get; init; }

    /// <summary>Gets the longest time per output token.</summary>
    public Seconds? MaxTimePerOutputToken { get; init; }

    /// <summary>Gets the tokens per second (prompt plus generated) to reach with replicas of the pipeline.</summary>
    public TokensPerSecond? TargetTokensPerSecond { get; init; }

    /// <summary>Gets the tokens per second (prompt plus generated, all replicas) the plan must reach; the frontier
    /// search sets it.</summary>
    public TokensPerSecond? MinTokensPerSecond { get; init; }

    /// <summary>Gets the requests per second to reach with replicas of the pipeline.</summary>
    public double? TargetRequestsPerSecond { get; init; }

    /// <summary>Gets the most replicas (default: as many as the pool holds).</summary>
    public int? MaxReplicas { get; init; }
}

/// <summary>A placement problem: a model and workload, a pool of machines, an objective and limits.</summary>
public sealed record PlacementProblem
{
    /// <summary>Gets the model.</summary>
    public required ModelArchitecture Model { get; init; }

    /// <summary>Gets the weight precision.</summary>
    public required Precision Weights { get; init; }

    /// <summary>Gets the KV-cache precision.</summary>
    public required Precision KvCache { get; init; }

    /// <summary>Gets the workload: prompt and output tokens, and the concurrency (null: as many sequences as the KV cache
    /// and the engine's cap allow).</summary>
    public required Workload Workload { get; init; }

    /// <summary>Gets the engine settings.</summary>
    public EngineSettings Engine { get; init; } = EngineSettings.Default;

    /// <summary>Gets the machines available.</summary>
    public required InstancePool Pool { get; init; }

    /// <summary>Gets how machines talk (default: the catalog's interconnects).</summary>
    public ClusterNetwork Network { get; init; } = ClusterNetwork.FromCatalog;

    /// <summary>Gets the objective (default: the least $ per million tokens).</summary>
    public PlacementObjective Objective { get; init; } = PlacementObjective.CostPerMillionTokens;

    /// <summary>Gets the cost weight w in [0, 1) of the weighted objective (the seed's cost_first 0.9, balanced 0.5,
    /// throughput_first 0.1).</summary>
    public double CostWeight { get; init; } = 0.5;

    /// <summary>Gets T_norm of the weighted objective, in tokens/s (the seed's default 10000).</summary>
    public double ThroughputNormalization { get; init; } = 10000;

    /// <summary>Gets C_norm of the weighted objective, in $/h (the seed's default 1).</summary>
    public double CostNormalization { get; init; } = 1;

    /// <summary>Gets the limits.</summary>
    public PlacementConstraints Constraints { get; init; } = new();

    /// <summary>Gets the TP degrees a stage may use (default 1, 2, 4, 8); a degree must also divide the model's heads and
    /// fit in the machine.</summary>
    public IReadOnlyList<int> TensorParallelDegrees { get; init; } = [1, 2, 4, 8];

    /// <summary>Gets the concurrency cap of the engine for this workload: the workload's concurrency or, for "max", the
    /// engine's sequence cap, never above that cap.</summary>
    public int ConcurrencyCap => Math.Min(Workload.Concurrency ?? Engine.MaxSequences, Engine.MaxSequences);
}
