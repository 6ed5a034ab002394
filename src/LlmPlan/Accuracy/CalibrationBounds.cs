using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Accuracy;

/// <summary>The physical range of each fitted constant (docs/accuracy.md, "Physical ranges"): <see cref="CalibrationFit"/>
/// cannot leave them, and a constant that ends at a bound tells that the model misses an effect in that GPU's rows.</summary>
/// <remarks>The fit works in unconstrained coordinates y: each constant is c = exp(ln min + (ln max − ln min)·σ(y)) with
/// σ the logistic function, so Nelder–Mead stays unconstrained while every trial point lies inside the range.</remarks>
public static class CalibrationBounds
{
    /// <summary>Compute efficiency η_c: large GEMMs on tensor cores reach about 60–85 % of dense peak; below 0.30 a GPU would
    /// be slower than its own CUDA cores on most parts.</summary>
    public static readonly (double Min, double Max) ComputeEfficiency = (0.30, 0.90);

    /// <summary>Memory efficiency η_m: STREAM-like copy benchmarks reach about 80–92 % of the HBM or GDDR peak.</summary>
    public static readonly (double Min, double Max) MemoryEfficiency = (0.50, 0.92);

    /// <summary>Step overhead o: scheduling, sampling and kernel launches per engine step.</summary>
    public static readonly (Seconds Min, Seconds Max) StepOverhead = (Seconds.FromMilliseconds(0.1), Seconds.FromMilliseconds(10));

    /// <summary>Collective step latency α of GPUs with an NVLink-class link: NCCL's own tuning model charges 0.47, 1.9
    /// or 3.4 µs per ring step over NVLink (LL, LL128, Simple protocol; <c>hwLat</c> in NVIDIA/nccl
    /// src/graph/tuning.cc), so 0.4–5 µs.</summary>
    public static readonly (Seconds Min, Seconds Max) NvlinkCollectiveLatency = (Seconds.FromMicroseconds(0.4), Seconds.FromMicroseconds(5));

    /// <summary>Collective step latency α of PCIe-only GPUs: NCCL charges 1.0, 2.5 or 5.7 µs per ring step over PCIe,
    /// and GPUs without peer-to-peer access copy every step through host memory, so 1–50 µs.</summary>
    public static readonly (Seconds Min, Seconds Max) PcieCollectiveLatency = (Seconds.FromMicroseconds(1), Seconds.FromMicroseconds(50));

    /// <summary>Link efficiency η_l: NCCL reaches about 80 % of NVLink's line rate as bus bandwidth.</summary>
    public static readonly (double Min, double Max) LinkEfficiency = (0.40, 1.0);

    /// <summary>Per-sequence step overhead o_s: the engine's host work for one sequence in one step (scheduling, block
    /// tables, sampling, detokenising and streaming its token), from next to nothing to 200 µs, where a step of 256
    /// sequences would spend 51 ms on the host.</summary>
    public static readonly (Seconds Min, Seconds Max) SequenceOverhead = (Seconds.FromMicroseconds(0.01), Seconds.FromMicroseconds(200));

    /// <summary>A constant within this fraction of its range's log-width from a bound counts as at the bound (the catalog's
    /// rounding moves a constant by less).</summary>
    public const double AtBoundFraction = 0.005;

    private static readonly IReadOnlyList<Axis> NvlinkAxes = AxesWith(NvlinkCollectiveLatency);

    private static readonly IReadOnlyList<Axis> PcieAxes = AxesWith(PcieCollectiveLatency);

    /// <summary>The collective step latency range of <paramref name="gpu"/>: NVLink-class or PCIe-only.</summary>
    /// <param name="gpu">The GPU.</param>
    /// <returns>The range.</returns>
    public static (Seconds Min, Seconds Max) CollectiveLatency(GpuSpec gpu)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        return gpu.HasNvlink ? NvlinkCollectiveLatency : PcieCollectiveLatency;
    }

    /// <summary>Whether every constant of <paramref name="calibration"/> lies within its range for <paramref name="gpu"/>.</summary>
    /// <param name="gpu">The GPU (its link kind sets the step latency's range).</param>
    /// <param name="calibration">The constants.</param>
    /// <returns>True when all six are within their bounds.</returns>
    public static bool Contains(GpuSpec gpu, GpuCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(calibration);
        return Axes(gpu).All(a => a.Read(calibration) >= a.Min && a.Read(calibration) <= a.Max);
    }

    /// <summary>The constants of <paramref name="calibration"/> that sit at a bound of their range for
    /// <paramref name="gpu"/>, e.g. <c>link_efficiency at min 0.4</c>, in the fit's order.</summary>
    /// <param name="gpu">The GPU (its link kind sets the step latency's range).</param>
    /// <param name="calibration">The constants.</param>
    /// <returns>One entry per constant at a bound (empty when none is).</returns>
    public static IReadOnlyList<string> AtBounds(GpuSpec gpu, GpuCalibration calibration)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(calibration);
        var result = new List<string>();
        foreach (Axis axis in Axes(gpu))
        {
            double f = axis.Fraction(axis.Read(calibration));
            if (axis.AtBound(calibration))
            {
                result.Add(f < 0.5 ? Invariant.Text($"{axis.Name} at min {axis.Min}") : Invariant.Text($"{axis.Name} at max {axis.Max}"));
            }
        }

        return result;
    }

    /// <summary>The unconstrained coordinates of <paramref name="calibration"/> (each constant's position in its log range
    /// through the logit; values at or beyond a bound are taken just inside it).</summary>
    internal static double[] ToUnconstrained(GpuSpec gpu, GpuCalibration calibration)
    {
        const double inside = 1e-3;
        return [.. Axes(gpu).Select(a =>
        {
            double f = Math.Clamp(a.Fraction(a.Read(calibration)), inside, 1 - inside);
            return Math.Log(f / (1 - f));
        })];
    }

    /// <summary>The constants at unconstrained coordinates <paramref name="y"/>; everything else from
    /// <paramref name="template"/>.</summary>
    internal static GpuCalibration FromUnconstrained(GpuSpec gpu, IReadOnlyList<double> y, GpuCalibration template)
    {
        IReadOnlyList<Axis> axes = Axes(gpu);
        double Value(int k) => axes[k].At(1 / (1 + Math.Exp(-y[k])));
        return template with
        {
            ComputeEfficiency = Value(0),
            MemoryEfficiency = Value(1),
            StepOverhead = Seconds.FromMilliseconds(Value(2)),
            CollectiveLatency = Seconds.FromMicroseconds(Value(3)),
            LinkEfficiency = Value(4),
            SequenceOverhead = Seconds.FromMicroseconds(Value(5)),
        };
    }

    /// <summary>The six constants of <paramref name="gpu"/> in the fit's order: name, bounds in the fit's units (ms for
    /// o, µs for α and o_s), and how to read the constant from a calibration in those units.</summary>
    internal static IReadOnlyList<Axis> Axes(GpuSpec gpu) => gpu.HasNvlink ? NvlinkAxes : PcieAxes;

    private static IReadOnlyList<Axis> AxesWith((Seconds Min, Seconds Max) collectiveLatency) =>
    [
        new("compute_efficiency", ComputeEfficiency.Min, ComputeEfficiency.Max, c => c.ComputeEfficiency),
        new("memory_efficiency", MemoryEfficiency.Min, MemoryEfficiency.Max, c => c.MemoryEfficiency),
        new("step_overhead_ms", StepOverhead.Min.Milliseconds, StepOverhead.Max.Milliseconds, c => c.StepOverhead.Milliseconds),
        new("collective_latency_us", collectiveLatency.Min.Value * 1e6, collectiveLatency.Max.Value * 1e6, c => c.CollectiveLatency.Value * 1e6),
        new("link_efficiency", LinkEfficiency.Min, LinkEfficiency.Max, c => c.LinkEfficiency),
        new("sequence_overhead_us", SequenceOverhead.Min.Value * 1e6, SequenceOverhead.Max.Value * 1e6, c => c.SequenceOverhead.Value * 1e6),
    ];

    /// <summary>One constant's range in the fit's units.</summary>
    internal sealed record Axis(string Name, double Min, double Max, Func<GpuCalibration, double> Read)
    {
        /// <summary>Where <paramref name="value"/> lies in the log range: 0 at the minimum, 1 at the maximum.</summary>
        public double Fraction(double value) => (Math.Log(value) - Math.Log(Min)) / (Math.Log(Max) - Math.Log(Min));

        /// <summary>Whether this constant of <paramref name="calibration"/> sits at (or beyond) a bound.</summary>
        public bool AtBound(GpuCalibration calibration)
        {
            double f = Fraction(Read(calibration));
            return f <= AtBoundFraction || f >= 1 - AtBoundFraction;
        }

        /// <summary>The value at position <paramref name="fraction"/> of the log range.</summary>
        public double At(double fraction) => Math.Exp(Math.Log(Min) + (fraction * (Math.Log(Max) - Math.Log(Min))));
    }
}
