using LlmPlan.Units;

namespace LlmPlan.Catalog;

/// <summary>A GPU's datasheet numbers and its calibration constants.</summary>
/// <remarks>Peaks are dense tensor-core rates (no 2:4 sparsity), from the vendor datasheets cited per row of
/// <c>data/gpus.csv</c>.</remarks>
public sealed record GpuSpec
{
    /// <summary>Gets the catalog id, e.g. <c>H100-SXM-80GB</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the marketing name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the vendor (<c>nvidia</c>, <c>amd</c>).</summary>
    public required string Vendor { get; init; }

    /// <summary>Gets the architecture generation (<c>ampere</c>, <c>hopper</c>, …).</summary>
    public required string Architecture { get; init; }

    /// <summary>Gets the memory capacity (the datasheet number, read as GiB).</summary>
    public required Bytes Memory { get; init; }

    /// <summary>Gets the peak memory bandwidth.</summary>
    public required BytesPerSecond MemoryBandwidth { get; init; }

    /// <summary>Gets the dense fp16/bf16 tensor peak.</summary>
    public required FlopsPerSecond Fp16Peak { get; init; }

    /// <summary>Gets the dense fp8 tensor peak, or null without fp8 tensor cores.</summary>
    public FlopsPerSecond? Fp8Peak { get; init; }

    /// <summary>Gets the dense int8 tensor peak, or null without int8 tensor cores.</summary>
    public FlopsPerSecond? Int8Peak { get; init; }

    /// <summary>Gets the dense int4 tensor peak, or null without int4 tensor cores.</summary>
    public FlopsPerSecond? Int4Peak { get; init; }

    /// <summary>Gets the dense fp4 tensor peak, or null without fp4 tensor cores.</summary>
    public FlopsPerSecond? Fp4Peak { get; init; }

    /// <summary>Gets the total (both directions) GPU-to-GPU NVLink/Infinity Fabric bandwidth per GPU; zero without one.</summary>
    public required BytesPerSecond NvlinkBandwidth { get; init; }

    /// <summary>Gets the PCIe generation of the host link (3, 4, 5, 6).</summary>
    public required int PcieGeneration { get; init; }

    /// <summary>Gets the PCIe lane count of the host link.</summary>
    public required int PcieLanes { get; init; }

    /// <summary>Gets the calibration constants of the performance model for this GPU.</summary>
    public required GpuCalibration Calibration { get; init; }

    /// <summary>Gets the public source of the numbers.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the date the numbers were taken from the source.</summary>
    public required DateOnly Captured { get; init; }

    /// <summary>Gets a value indicating whether the GPU has an NVLink-class GPU-to-GPU link.</summary>
    public bool HasNvlink => NvlinkBandwidth.Value > 0;

    /// <summary>Gets the NVLink bandwidth in one direction (half the datasheet total).</summary>
    public BytesPerSecond NvlinkBandwidthPerDirection => NvlinkBandwidth / 2.0;

    /// <summary>Gets the PCIe bandwidth in one direction: lanes × per-lane rate after line coding
    /// (gen3 0.985, gen4 1.969, gen5 3.938, gen6 7.563 GB/s per lane; PCI-SIG).</summary>
    public BytesPerSecond PcieBandwidthPerDirection => BytesPerSecond.FromGigabytesPerSecond(PcieLanes * PcieGeneration switch
    {
        <= 3 => 0.985,
        4 => 1.969,
        5 => 3.938,
        _ => 7.563,
    });

    /// <summary>The fraction of the PCIe rate after line coding that pinned host-device copies reach: FlexGen's measured
    /// CPU→GPU rate of a T4 (12.89 GiB/s = 13.84 GB/s; its cost model's GB is 2^30 bytes; arXiv 2303.06865) over PCIe
    /// gen3 x16's 15.76 GB/s.</summary>
    public const double HostLinkEfficiency = 0.878;

    /// <summary>Gets the host-to-GPU copy rate: the measured one of the calibration file, else the PCIe rate per direction
    /// × <see cref="HostLinkEfficiency"/>.</summary>
    public BytesPerSecond HostToDeviceBandwidth => Calibration.HostToDevice ?? PcieBandwidthPerDirection * HostLinkEfficiency;

    /// <summary>Gets the GPU-to-host copy rate: the measured one of the calibration file, else the PCIe rate per direction
    /// × <see cref="HostLinkEfficiency"/>.</summary>
    public BytesPerSecond DeviceToHostBandwidth => Calibration.DeviceToHost ?? PcieBandwidthPerDirection * HostLinkEfficiency;
}

/// <summary>The per-GPU constants of the performance model, fitted to measurements (docs/accuracy.md).</summary>
/// <param name="ComputeEfficiency">The fraction of the dense tensor peak that large matrix products reach, in (0, 1].</param>
/// <param name="MemoryEfficiency">The fraction of the memory bandwidth that streaming reads reach, in (0, 1].</param>
/// <param name="StepOverhead">The fixed time o of one engine step (scheduling, kernel launches, sampling), whatever the
/// batch.</param>
/// <param name="CollectiveLatency">The step latency α of a collective: the fixed time of one step, in which each GPU sends
/// a piece to the next (NCCL's per-step hardware latency). A ring all-reduce over t GPUs takes 2(t − 1) steps; a send
/// from one pipeline stage to the next takes one.</param>
/// <param name="Source">Where the constants come from: <c>fit</c> with the measurement file, or <c>default:&lt;generation&gt;</c>.</param>
public sealed record GpuCalibration(
    double ComputeEfficiency,
    double MemoryEfficiency,
    Seconds StepOverhead,
    Seconds CollectiveLatency,
    string Source)
{
    /// <summary>Gets the fraction of the GPU-to-GPU link's rate (NVLink or PCIe per direction) that the TP all-reduce
    /// reaches, in (0, 1]; 1 unless fitted (docs/model.md §7). Below 1 where collectives do not get the link's rate, e.g.
    /// PCIe GPUs without peer-to-peer copies, whose all-reduce goes through host memory.</summary>
    public double LinkEfficiency { get; init; } = 1.0;

    /// <summary>Gets the step overhead o_s of each sequence in a step: the engine's work per sequence and token outside the
    /// GPU's matrix and attention kernels (scheduling, block tables, sampling, detokenising), so a step of n sequences
    /// costs o + o_s·n on top of its kernels (docs/model.md §5, §7); zero unless fitted.</summary>
    public Seconds SequenceOverhead { get; init; } = Seconds.Zero;

    /// <summary>Gets the measured host-to-GPU copy rate (pinned memory), or null to derive it from the PCIe link.</summary>
    public BytesPerSecond? HostToDevice { get; init; }

    /// <summary>Gets the measured GPU-to-host copy rate (pinned memory), or null to derive it from the PCIe link.</summary>
    public BytesPerSecond? DeviceToHost { get; init; }

    /// <summary>The engine overhead of one step that runs <paramref name="sequences"/> sequences: o + o_s·n.</summary>
    /// <param name="sequences">The sequences n the step decodes or prefills.</param>
    /// <returns>The overhead.</returns>
    public Seconds Overhead(double sequences) => StepOverhead + (SequenceOverhead * sequences);
}
