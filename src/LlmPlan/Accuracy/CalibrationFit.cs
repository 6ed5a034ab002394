using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Accuracy;

/// <summary>How a GPU's constants were obtained by <see cref="CalibrationFit"/>.</summary>
public enum CalibrationOrigin
{
    /// <summary>Fitted to the GPU's own measurements.</summary>
    Fitted,

    /// <summary>Medians of the fitted GPUs of the same generation (the GPU has no measurements).</summary>
    Derived,

    /// <summary>The generation's defaults: neither the GPU nor its generation has measurements.</summary>
    Default,
}

/// <summary>The constants of one GPU after calibration.</summary>
/// <param name="Gpu">The GPU.</param>
/// <param name="Calibration">The constants, rounded as written (efficiencies to 3 decimals, o to 0.001 ms, λ to 0.1 µs, o_s to 0.01 µs).</param>
/// <param name="Origin">How they were obtained.</param>
/// <param name="Rows">The measurements they were fitted to (0 unless fitted).</param>
public sealed record GpuFit(GpuSpec Gpu, GpuCalibration Calibration, CalibrationOrigin Origin, int Rows)
{
    /// <summary>The fitted constants that sit at a bound of their physical range (<see cref="CalibrationBounds.AtBounds"/>):
    /// the model misses an effect in this GPU's rows. Empty unless fitted.</summary>
    public IReadOnlyList<string> AtBounds => Origin == CalibrationOrigin.Fitted ? CalibrationBounds.AtBounds(Gpu, Calibration) : [];
}

/// <summary>Fits each GPU's six constants (η_c, η_m, o, λ, η_l, o_s) to measurements (docs/accuracy.md, "How the constants are
/// fitted").</summary>
/// <remarks>
/// <para>Per GPU, over its predictable rows i, the fit minimises the mean robust (Cauchy) loss of the log errors
/// rᵢ = ln(predictedᵢ / measuredᵢ), ρ(r) = s²·ln(1 + (r/s)²) with s = 0.2: quadratic for small errors, while a row off by
/// a factor pulls barely more than one off by 50 %, so rows the model cannot describe (TTFT under a benchmark's
/// frontend overheads, runs slowed by something the row does not record) do not drag the rest; plus a weak prior 10⁻⁴·Σₖ(xₖ − xₖ⁰)² on the
/// log-constants (ln η_c, ln η_m, ln o, ln λ, ln η_l, ln o_s) towards the generation's defaults, which only decides constants the rows
/// do not constrain (λ and η_l when every row is TP 1, o_s when every row runs few sequences). Every constant stays within its physical range
/// (<see cref="CalibrationBounds"/>): the minimiser works on unconstrained coordinates mapped into each range through a
/// logistic in log space. The minimiser is Nelder–Mead with restarts, from the defaults and from each constant in turn
/// moved near the slow end of its range. A row that stops being predictable at a trial point (an open loop whose rate
/// reaches the capacity) costs as much as a factor-10 error.</para>
/// <para>Closed-loop TTFT rows that <see cref="MeasurementPredictor"/> simulates are predicted but not fitted: their
/// TTFT depends on how the benchmark starts and paces its clients as much as on the GPU, and each costs a simulation
/// per trial point.</para>
/// <para>Nothing is fitted per model or per row: six numbers per GPU.</para>
/// </remarks>
public static class CalibrationFit
{
    /// <summary>The scale s of the robust loss: log errors well below s (about 20 %) count quadratically, larger ones
    /// barely more than logarithmically.</summary>
    public const double LossScale = 0.2;

    /// <summary>The weight of the prior towards the generation's defaults.</summary>
    public const double PriorWeight = 1e-4;

    private static readonly double MissedPenalty = Math.Log(10);

    /// <summary>The unconstrained coordinate 95 % of the way along a range (logit 0.95): the slow-side starts.</summary>
    private static readonly double SlowStart = Math.Log(0.95 / 0.05);

    /// <summary>Fits every GPU of the catalog that has rows; derives or defaults the others.</summary>
    /// <param name="rows">The prepared measurements (rows without a deployment are ignored).</param>
    /// <param name="catalog">The catalog whose GPUs get constants.</param>
    /// <param name="measurementName">The measurement file's name, for the <c>source</c> column.</param>
    /// <returns>One entry per catalog GPU, in catalog order.</returns>
    public static IReadOnlyList<GpuFit> FitAll(IReadOnlyList<PreparedMeasurement> rows, HardwareCatalog catalog, string measurementName)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(catalog);
        var byGpu = rows.Where(r => r.Gpu is not null).GroupBy(r => r.Gpu!.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var fits = new GpuFit?[catalog.Gpus.Count];
        Parallel.For(0, catalog.Gpus.Count, i =>
        {
            GpuSpec gpu = catalog.Gpus[i];
            if (byGpu.TryGetValue(gpu.Id, out var own))
            {
                var (calibration, used) = FitGpu(gpu, own);
                if (used > 0)
                {
                    fits[i] = new GpuFit(gpu, calibration with { Source = KeepHostLinkNote(gpu, Invariant.Text($"calibrated: llmplan calibrate on {measurementName} ({used} rows)")) }, CalibrationOrigin.Fitted, used);
                }
            }
        });

        var fitted = fits.OfType<GpuFit>().ToList();
        for (int i = 0; i < fits.Length; i++)
        {
            fits[i] ??= Derive(catalog.Gpus[i], fitted, measurementName);
        }

        return [.. fits.Select(f => f!)];
    }

    /// <summary>Fits one GPU's constants to its rows.</summary>
    /// <param name="gpu">The GPU.</param>
    /// <param name="rows">Rows measured on it.</param>
    /// <returns>The rounded constants and the number of rows used (0, with the defaults, when none is predictable; simulated
    /// closed-loop TTFT rows are never used).</returns>
    public static (GpuCalibration Calibration, int Rows) FitGpu(GpuSpec gpu, IReadOnlyList<PreparedMeasurement> rows)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(rows);
        GpuCalibration start = ArchitectureDefaults.For(gpu);
        var usable = rows.Where(r => !MeasurementPredictor.SimulatesTimeToFirstToken(r) && MeasurementPredictor.Predict(r, start).Predicted is not null).ToList();
        if (usable.Count == 0)
        {
            return (start, 0);
        }

        double[] log0 = ToLog(gpu, start);
        double[] y0 = CalibrationBounds.ToUnconstrained(gpu, start);
        double Objective(double[] y)
        {
            GpuCalibration c = CalibrationBounds.FromUnconstrained(gpu, y, start);
            double sum = 0;
            foreach (PreparedMeasurement row in usable)
            {
                double? predicted = MeasurementPredictor.Predict(row, c).Predicted;
                double r = predicted is { } p && p > 0 ? Math.Log(p / row.Measurement.Value) : MissedPenalty;
                sum += Loss(r);
            }

            double prior = ToLog(gpu, c).Select((v, k) => (v - log0[k]) * (v - log0[k])).Sum();
            return (sum / usable.Count) + (PriorWeight * prior);
        }

        // From the defaults, and from each constant in turn moved near the slow end of its range (lower efficiencies,
        // higher overhead and latency: 5 % of the way from that bound in log space), so that a fit whose data needs one
        // constant far from its default does not settle for another: the best end point wins (the first on ties).
        double[] best = y0;
        double bestValue = double.PositiveInfinity;
        for (int k = -1; k < y0.Length; k++)
        {
            double[] from = [.. y0];
            if (k >= 0)
            {
                from[k] = k is 2 or 3 or 5 ? SlowStart : -SlowStart;
            }

            var (point, value) = NelderMead.Minimize(Objective, from, step: 0.5, tolerance: 1e-12, maxEvaluations: 1500, restarts: 6);
            if (value < bestValue)
            {
                (best, bestValue) = (point, value);
            }
        }

        return (Round(CalibrationBounds.FromUnconstrained(gpu, best, start)), usable.Count);
    }

    /// <summary>The robust (Cauchy) loss of a log error.</summary>
    /// <param name="r">The log error ln(predicted / measured).</param>
    /// <returns>s²·ln(1 + (r/s)²).</returns>
    public static double Loss(double r) => LossScale * LossScale * Math.Log(1 + (r / LossScale * (r / LossScale)));

    /// <summary>Rounds constants as the catalog file holds them: the efficiencies to 3 decimals (between 0.001 and 1), o
    /// to 0.001 ms, λ to 0.1 µs, o_s to 0.01 µs.</summary>
    /// <param name="c">The constants.</param>
    /// <returns>The rounded constants.</returns>
    public static GpuCalibration Round(GpuCalibration c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c with
        {
            ComputeEfficiency = Math.Clamp(Math.Round(c.ComputeEfficiency, 3, MidpointRounding.AwayFromZero), 0.001, 1),
            MemoryEfficiency = Math.Clamp(Math.Round(c.MemoryEfficiency, 3, MidpointRounding.AwayFromZero), 0.001, 1),
            StepOverhead = Seconds.FromMilliseconds(Math.Round(c.StepOverhead.Milliseconds, 3, MidpointRounding.AwayFromZero)),
            CollectiveLatency = Seconds.FromMicroseconds(Math.Round(c.CollectiveLatency.Value * 1e6, 1, MidpointRounding.AwayFromZero)),
            LinkEfficiency = Math.Clamp(Math.Round(c.LinkEfficiency, 3, MidpointRounding.AwayFromZero), 0.001, 1),
            SequenceOverhead = Seconds.FromMicroseconds(Math.Round(c.SequenceOverhead.Value * 1e6, 2, MidpointRounding.AwayFromZero)),
        };
    }

    /// <summary>Constants for a GPU without measurements: the medians of η_c, η_m, o and o_s over the fitted GPUs of its
    /// generation, and of λ and η_l over those with the same kind of link (NVLink or PCIe), each leaving out GPUs whose
    /// constant sits at a bound of its range (the default when none is left); the generation's defaults when no GPU of
    /// the generation was fitted.</summary>
    /// <param name="gpu">The GPU.</param>
    /// <param name="fitted">The fitted GPUs.</param>
    /// <param name="measurementName">The measurement file's name, for the source.</param>
    /// <returns>The constants.</returns>
    public static GpuFit Derive(GpuSpec gpu, IReadOnlyList<GpuFit> fitted, string measurementName)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        ArgumentNullException.ThrowIfNull(fitted);
        GpuCalibration defaults = ArchitectureDefaults.For(gpu);
        var same = fitted.Where(f => f.Origin == CalibrationOrigin.Fitted && string.Equals(f.Gpu.Architecture, gpu.Architecture, StringComparison.Ordinal)).OrderBy(f => f.Gpu.Id, StringComparer.Ordinal).ToList();
        if (same.Count == 0)
        {
            return new GpuFit(gpu, defaults with { Source = KeepHostLinkNote(gpu, defaults.Source) }, CalibrationOrigin.Default, 0);
        }

        var sameLink = same.Where(f => f.Gpu.HasNvlink == gpu.HasNvlink).ToList();

        // A constant at a bound of its range describes an effect the model misses in that GPU's rows, not the GPU: it
        // is left out of the medians (the default when no fitted GPU of the group has it inside its range).
        double Median(IEnumerable<GpuFit> group, int axis, double fallback)
        {
            double[] values = [.. group.Select(f => (Axis: CalibrationBounds.Axes(f.Gpu)[axis], Fit: f)).Where(p => !p.Axis.AtBound(p.Fit.Calibration)).Select(p => p.Axis.Read(p.Fit.Calibration)).Order()];
            return values.Length > 0 ? ErrorSummary.Quantile(values, 0.5) : fallback;
        }

        var derived = defaults with
        {
            ComputeEfficiency = Median(same, 0, defaults.ComputeEfficiency),
            MemoryEfficiency = Median(same, 1, defaults.MemoryEfficiency),
            StepOverhead = Seconds.FromMilliseconds(Median(same, 2, defaults.StepOverhead.Milliseconds)),
            CollectiveLatency = Seconds.FromMicroseconds(Median(sameLink, 3, defaults.CollectiveLatency.Value * 1e6)),
            LinkEfficiency = Median(sameLink, 4, defaults.LinkEfficiency),
            SequenceOverhead = Seconds.FromMicroseconds(Median(same, 5, defaults.SequenceOverhead.Value * 1e6)),
            Source = KeepHostLinkNote(gpu, Invariant.Text($"derived:{gpu.Architecture}: median of {string.Join(" ", same.Select(f => f.Gpu.Id))} calibrated on {measurementName}")),
        };
        return new GpuFit(gpu, Round(derived), CalibrationOrigin.Derived, 0);
    }

    private static string KeepHostLinkNote(GpuSpec gpu, string source)
    {
        int note = gpu.Calibration.Source.IndexOf("; host link", StringComparison.Ordinal);
        return note < 0 ? source : source + gpu.Calibration.Source[note..];
    }

    private static double[] ToLog(GpuSpec gpu, GpuCalibration c) => [.. CalibrationBounds.Axes(gpu).Select(a => Math.Log(a.Read(c)))];
}
