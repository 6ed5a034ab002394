using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Accuracy;

/// <summary>The starting constants of each architecture generation (docs/model.md §7): where a fit starts, what its weak
/// prior pulls unidentified constants towards, and what a GPU gets when neither it nor any GPU of its generation has
/// measurements.</summary>
public static class ArchitectureDefaults
{
    /// <summary>The step overhead of every generation.</summary>
    public static readonly Seconds StepOverhead = Seconds.FromMilliseconds(1.5);

    /// <summary>The per-sequence step overhead of every generation: 1 µs, a start near the low end of its range that the
    /// weak prior keeps where the rows say nothing about it (docs/model.md §7).</summary>
    public static readonly Seconds SequenceOverhead = Seconds.FromMicroseconds(1);

    /// <summary>The step latency of a collective on GPUs with an NVLink-class link: NCCL's ring step over NVLink takes
    /// 0.47, 1.9 or 3.4 µs (LL, LL128, Simple protocol; <c>hwLat</c> in NVIDIA/nccl src/graph/tuning.cc).</summary>
    public static readonly Seconds NvlinkCollectiveLatency = Seconds.FromMicroseconds(2);

    /// <summary>The step latency of a collective on PCIe-only GPUs: NCCL's ring step over PCIe takes 1.0, 2.5 or 5.7 µs
    /// (LL, LL128, Simple) with peer-to-peer access, but cloud PCIe GPUs often lack it and copy each step through host
    /// memory; the only PCIe GPUs measured at TP &gt; 1 (L40S, A10G) fit the range's top, 50 µs.</summary>
    public static readonly Seconds PcieCollectiveLatency = Seconds.FromMicroseconds(15);

    /// <summary>The link efficiency of every generation: NCCL's bus bandwidth is about 80 % of NVLink's line rate
    /// (docs/accuracy.md, "Physical ranges").</summary>
    public const double LinkEfficiency = 0.80;

    /// <summary>The compute and memory efficiency of a generation: ampere 0.70/0.80, hopper and ada 0.65/0.80, blackwell
    /// 0.60/0.80, turing and volta 0.60/0.75, cdna3 0.50/0.70; any other 0.60/0.75.</summary>
    /// <param name="architecture">The generation, as in data/gpus.csv.</param>
    /// <returns>The two efficiencies.</returns>
    public static (double Compute, double Memory) Efficiencies(string architecture) => architecture switch
    {
        "ampere" => (0.70, 0.80),
        "hopper" or "ada" => (0.65, 0.80),
        "blackwell" => (0.60, 0.80),
        "cdna3" => (0.50, 0.70),
        _ => (0.60, 0.75),
    };

    /// <summary>The default constants of a GPU: its generation's efficiencies, 1.5 ms per step and 1 µs per sequence in
    /// a step, 2 µs per collective step with NVLink or 15 µs without, and a link efficiency of 0.80; the measured
    /// host-link rates of its catalog row are kept.</summary>
    /// <param name="gpu">The GPU.</param>
    /// <returns>The constants, with source <c>default:&lt;generation&gt;</c>.</returns>
    public static GpuCalibration For(GpuSpec gpu)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        var (compute, memory) = Efficiencies(gpu.Architecture);
        return new GpuCalibration(compute, memory, StepOverhead, gpu.HasNvlink ? NvlinkCollectiveLatency : PcieCollectiveLatency, "default:" + gpu.Architecture)
        {
            HostToDevice = gpu.Calibration.HostToDevice,
            DeviceToHost = gpu.Calibration.DeviceToHost,
            LinkEfficiency = LinkEfficiency,
            SequenceOverhead = SequenceOverhead,
        };
    }
}
