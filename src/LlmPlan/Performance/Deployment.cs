using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Performance;

/// <summary>One pipeline stage: a contiguous range of decoder layers served by a tensor-parallel group of one GPU type.</summary>
public sealed record PipelineStage
{
    /// <summary>Gets the GPU type of every GPU in the group.</summary>
    public required GpuSpec Gpu { get; init; }

    /// <summary>Gets the tensor-parallel degree t (GPUs in the group).</summary>
    public required int TensorParallel { get; init; }

    /// <summary>Gets the first layer, 0-based.</summary>
    public required int FirstLayer { get; init; }

    /// <summary>Gets the number of layers, at least 1.</summary>
    public required int LayerCount { get; init; }

    /// <summary>Gets the bandwidth in one direction between two GPUs of the group (NVLink or PCIe).</summary>
    public required BytesPerSecond TensorParallelBandwidth { get; init; }

    /// <summary>Gets the instance the group runs on (a name, with <c>#index</c> when several), or empty when none is named.</summary>
    public string Instance { get; init; } = string.Empty;

    /// <summary>Gets the GPU ids of the group inside its instance, or empty when not assigned.</summary>
    public IReadOnlyList<int> GpuIds { get; init; } = [];

    /// <summary>Gets the last layer, 0-based, inclusive.</summary>
    public int LastLayer => FirstLayer + LayerCount - 1;
}

/// <summary>A model served by a pipeline of stages, with its numeric formats, links and price.</summary>
public sealed record Deployment
{
    /// <summary>Gets the model.</summary>
    public required ModelArchitecture Model { get; init; }

    /// <summary>Gets the weight precision.</summary>
    public required Precision Weights { get; init; }

    /// <summary>Gets the KV-cache precision.</summary>
    public required Precision KvCache { get; init; }

    /// <summary>Gets the stages in pipeline order; their layer ranges cover the model exactly once.</summary>
    public required IReadOnlyList<PipelineStage> Stages { get; init; }

    /// <summary>Gets the bandwidth of the link from stage i to stage i + 1 (one entry fewer than stages).</summary>
    public required IReadOnlyList<BytesPerSecond> StageLinks { get; init; }

    /// <summary>Gets the price of the hardware per hour (whole instances, or GPUs where billed per GPU).</summary>
    public required DollarsPerHour CostPerHour { get; init; }

    /// <summary>Gets the pipeline-parallel degree (number of stages).</summary>
    public int PipelineParallel => Stages.Count;

    /// <summary>Gets the number of GPUs.</summary>
    public int GpuCount => Stages.Sum(s => s.TensorParallel);
}

/// <summary>The requests a deployment serves in steady state.</summary>
/// <param name="InputTokens">Prompt tokens per request S.</param>
/// <param name="OutputTokens">Generated tokens per request O, at least 1.</param>
/// <param name="Concurrency">Sequences in flight N (closed loop), or null for "max": as many as KV memory and the
/// engine's sequence cap allow.</param>
public sealed record Workload(int InputTokens, int OutputTokens, int? Concurrency);
