using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Accuracy;

public class CalibrationFitTests
{
    private static readonly GpuSpec H100 = TestHardware.Catalog.FindGpu("H100-SXM-80GB")!;

    private static readonly GpuCalibration Truth = new(0.55, 0.72, Seconds.FromMilliseconds(2.5), Seconds.FromMicroseconds(3), "truth") { LinkEfficiency = 0.5, SequenceOverhead = Seconds.FromMicroseconds(20) };

    /// <summary>Rows of every kind on the H100 whose values the model itself predicts with <see cref="Truth"/>.</summary>
    private static List<PreparedMeasurement> Synthetic() => Synthetic(Truth);

    /// <summary>Rows of every kind on the H100 whose values the model itself predicts with <paramref name="truthConstants"/>.</summary>
    private static List<PreparedMeasurement> Synthetic(GpuCalibration truthConstants)
    {
        var rows = new List<Measurement>();
        int id = 0;
        void Add(string model, int tp, MeasuredMetric metric, MeasuredLoad load, int? input, int? output) => rows.Add(new Measurement
        {
            Id = $"s{id++}", Source = "synthetic", Engine = "vllm", Model = model, Gpu = H100.Id, Precision = Precision.Bf16,
            TensorParallel = tp, PipelineParallel = 1, Replicas = 1, InputTokens = input, OutputTokens = output, Load = load, Metric = metric, Value = 1,
        });

        foreach (var (model, tp) in new[] { ("llama-3.1-8b", 1), ("llama-3.1-8b", 2), ("llama-3.1-70b", 4), ("llama-3.1-70b", 8) })
        {
            foreach (int n in new[] { 1, 8, 64, 256 })
            {
                Add(model, tp, MeasuredMetric.TimePerOutputToken, MeasuredLoad.Closed(n), 1024, 256);
                Add(model, tp, MeasuredMetric.TimeToFirstToken, MeasuredLoad.Closed(n), 2048, 128);
            }

            Add(model, tp, MeasuredMetric.OutputTokensPerSecond, MeasuredLoad.Max, 512, 512);
            Add(model, tp, MeasuredMetric.LayerPrefill, MeasuredLoad.Closed(1), 4000, 0);
            Add(model, tp, MeasuredMetric.LayerDecode, MeasuredLoad.Closed(16), null, null);
        }

        return [.. rows.Select(m =>
        {
            PreparedMeasurement p = MeasurementPredictor.Prepare(m, TestHardware.Catalog);
            MeasurementPrediction truth = MeasurementPredictor.Predict(p, truthConstants);
            Assert.True(truth.Predicted is not null, $"{m.Model} TP {m.TensorParallel} {m.Metric} {m.Load}: {truth.SkipReason}");
            return p with { Measurement = m with { Value = truth.Predicted!.Value } };
        })];
    }

    /// <summary>Checks η_c, η_m, o, α, η_l and o_s against <see cref="Truth"/>, each within its relative tolerance.</summary>
    private static void AssertRecovered(GpuCalibration fitted, double[] relative)
    {
        double[] expected = [Truth.ComputeEfficiency, Truth.MemoryEfficiency, Truth.StepOverhead.Value, Truth.CollectiveLatency.Value, Truth.LinkEfficiency, Truth.SequenceOverhead.Value];
        double[] actual = [fitted.ComputeEfficiency, fitted.MemoryEfficiency, fitted.StepOverhead.Value, fitted.CollectiveLatency.Value, fitted.LinkEfficiency, fitted.SequenceOverhead.Value];
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(actual[k] - expected[k]) <= relative[k] * expected[k], $"constant {k}: expected {expected[k]} within {relative[k]:P1}, got {actual[k]} (all: {string.Join(", ", actual)})");
        }
    }

    [Fact]
    public void Should_recover_the_constants_When_measurements_are_generated_by_the_model_itself()
    {
        // Given rows the model predicts exactly with known constants, When the GPU is fitted from its defaults
        var (fitted, used) = CalibrationFit.FitGpu(H100, Synthetic());

        // Then every row but the 16 simulated closed-loop TTFT rows is used, and the six constants come back (to the
        // written rounding). o_s and η_c less closely: a decode step's per-sequence overhead and its matrix products
        // both grow with the batch, only the prefill rows tell them apart, and the weak prior towards the defaults
        // (1 µs, 0.65) takes its share (o_s comes back within 10 %, η_c within 1 %).
        Assert.Equal(28, used);
        AssertRecovered(fitted, [0.01, 0.005, 0.01, 0.03, 0.01, 0.1]);
    }

    [Fact]
    public void Should_still_recover_the_constants_When_a_few_rows_are_off_by_a_factor()
    {
        // Given the same rows with 4 of the 28 fitted ones measured 3 times too slow or fast (rows the model cannot describe)
        var rows = Synthetic();
        foreach (int i in new[] { 0, 13, 26, 41 })
        {
            Measurement m = rows[i].Measurement;
            rows[i] = rows[i] with { Measurement = m with { Value = m.Value * (i % 2 == 0 ? 3 : 1 / 3.0) } };
        }

        // When fitted, Then the robust loss ignores them
        var (fitted, _) = CalibrationFit.FitGpu(H100, rows);
        AssertRecovered(fitted, [0.02, 0.02, 0.05, 0.1, 0.05, 0.15]);
    }

    [Fact]
    public void Should_ignore_closed_loop_ttft_rows_When_fitting()
    {
        // Given the synthetic rows with every closed-loop TTFT measured 100 times too slow
        var rows = Synthetic();
        var (clean, _) = CalibrationFit.FitGpu(H100, rows);
        for (int i = 0; i < rows.Count; i++)
        {
            if (MeasurementPredictor.SimulatesTimeToFirstToken(rows[i]))
            {
                rows[i] = rows[i] with { Measurement = rows[i].Measurement with { Value = rows[i].Measurement.Value * 100 } };
            }
        }

        // When fitted, Then the constants are the same: those rows are predicted by simulation but not fitted
        var (fitted, used) = CalibrationFit.FitGpu(H100, rows);
        Assert.Equal(clean, fitted);
        Assert.Equal(28, used);
    }

    public static TheoryData<double, double, double, double, double, double, string[]> OutOfRange() => new()
    {
        // η_c, η_m, o (ms), α (µs), η_l, o_s (µs) that generate the rows; the constants expected at a bound (the H100 has
        // NVLink: α 0.4–5 µs). o_s = 0.001 µs is not expected at its bound: from the default of 1 µs to the bound of
        // 0.01 µs a step of 256 sequences changes by 0.25 ms, and the other constants' bounds leave larger errors.
        { 0.05, 0.2, 30, 400, 0.1, 1000, ["compute_efficiency at min 0.3", "memory_efficiency at min 0.5", "step_overhead_ms at max 10", "collective_latency_us at max 5", "link_efficiency at min 0.4", "sequence_overhead_us at max 200"] },
        { 0.99, 1.0, 0.02, 0.1, 1.0, 0.001, ["compute_efficiency at max 0.9", "memory_efficiency at max 0.92", "step_overhead_ms at min 0.1", "collective_latency_us at min 0.4", "link_efficiency at max 1"] },
        { 0.55, 0.3, 2.5, 1, 0.5, 20, ["memory_efficiency at min 0.5"] },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Should_keep_every_constant_within_its_physical_range_When_the_rows_were_generated_with_constants_outside_it(double compute, double memory, double overheadMs, double latencyUs, double link, double perSequenceUs, string[] expectedAtBounds)
    {
        // Given rows the model predicts exactly with constants some of which lie outside the physical ranges
        var truth = new GpuCalibration(compute, memory, Seconds.FromMilliseconds(overheadMs), Seconds.FromMicroseconds(latencyUs), "truth") { LinkEfficiency = link, SequenceOverhead = Seconds.FromMicroseconds(perSequenceUs) };
        Assert.False(CalibrationBounds.Contains(H100, truth));

        // When the H100 is fitted to them, as part of the whole catalog
        var fits = CalibrationFit.FitAll(Synthetic(truth), TestHardware.Catalog, "synthetic.csv");

        // Then every GPU's constants lie within the ranges, and the fitted one reports exactly the constants that sit at a bound
        Assert.All(fits, f => Assert.True(CalibrationBounds.Contains(f.Gpu, f.Calibration), $"{f.Gpu.Id}: {f.Calibration}"));
        GpuFit h100 = fits.Single(f => f.Gpu.Id == "H100-SXM-80GB");
        Assert.Equal(CalibrationOrigin.Fitted, h100.Origin);
        Assert.Equal(expectedAtBounds, h100.AtBounds);

        // And the H200, derived from the H100 alone, takes the Hopper default for each constant the H100 has at a bound
        GpuFit h200 = fits.Single(f => f.Gpu.Id == "H200-SXM-141GB");
        GpuCalibration defaults = ArchitectureDefaults.For(h200.Gpu);
        Assert.Equal(CalibrationOrigin.Derived, h200.Origin);
        bool At(string constant) => h100.AtBounds.Any(b => b.StartsWith(constant + " ", StringComparison.Ordinal));
        Assert.Equal(At("compute_efficiency") ? defaults.ComputeEfficiency : h100.Calibration.ComputeEfficiency, h200.Calibration.ComputeEfficiency);
        Assert.Equal(At("memory_efficiency") ? defaults.MemoryEfficiency : h100.Calibration.MemoryEfficiency, h200.Calibration.MemoryEfficiency);
        Assert.Equal(At("step_overhead_ms") ? defaults.StepOverhead : h100.Calibration.StepOverhead, h200.Calibration.StepOverhead);
        Assert.Equal(At("collective_latency_us") ? defaults.CollectiveLatency : h100.Calibration.CollectiveLatency, h200.Calibration.CollectiveLatency);
        Assert.Equal(At("link_efficiency") ? defaults.LinkEfficiency : h100.Calibration.LinkEfficiency, h200.Calibration.LinkEfficiency);
        Assert.Equal(At("sequence_overhead_us") ? defaults.SequenceOverhead : h100.Calibration.SequenceOverhead, h200.Calibration.SequenceOverhead);
    }

    [Fact]
    public void Should_report_no_constant_at_a_bound_When_the_rows_were_generated_inside_the_ranges()
    {
        var (fitted, _) = CalibrationFit.FitGpu(H100, Synthetic());
        Assert.True(CalibrationBounds.Contains(H100, Truth));
        Assert.Empty(CalibrationBounds.AtBounds(H100, fitted));
    }

    [Fact]
    public void Should_name_the_bound_When_a_constant_is_at_the_edge_of_its_range()
    {
        var c = new GpuCalibration(0.30, 0.92, Seconds.FromMilliseconds(1.5), Seconds.FromMicroseconds(2), "edge") { LinkEfficiency = 0.8, SequenceOverhead = Seconds.FromMicroseconds(1) };
        Assert.Equal(["compute_efficiency at min 0.3", "memory_efficiency at max 0.92"], CalibrationBounds.AtBounds(H100, c));
        Assert.True(CalibrationBounds.Contains(H100, c));
        Assert.False(CalibrationBounds.Contains(H100, c with { LinkEfficiency = 0.399 }));
        Assert.False(CalibrationBounds.Contains(H100, c with { SequenceOverhead = Seconds.FromMicroseconds(201) }));
        Assert.Equal(["sequence_overhead_us at min 0.01"], CalibrationBounds.AtBounds(H100, c with { ComputeEfficiency = 0.5, MemoryEfficiency = 0.8, SequenceOverhead = Seconds.Zero }));
    }

    [Fact]
    public void Should_bound_the_step_latency_by_the_link_When_the_gpu_has_nvlink_or_only_pcie()
    {
        // Given 10 µs per collective step: within PCIe's 1–50 µs, beyond NVLink's 0.4–5 µs
        GpuSpec l40s = TestHardware.Catalog.FindGpu("L40S")!;
        var c = new GpuCalibration(0.5, 0.8, Seconds.FromMilliseconds(1.5), Seconds.FromMicroseconds(10), "link") { LinkEfficiency = 0.8, SequenceOverhead = Seconds.FromMicroseconds(1) };
        Assert.True(CalibrationBounds.Contains(l40s, c));
        Assert.False(CalibrationBounds.Contains(H100, c));
        Assert.Equal(["collective_latency_us at max 5"], CalibrationBounds.AtBounds(H100, c with { CollectiveLatency = Seconds.FromMicroseconds(5) }));
        Assert.Equal(["collective_latency_us at max 50"], CalibrationBounds.AtBounds(l40s, c with { CollectiveLatency = Seconds.FromMicroseconds(50) }));
        Assert.Equal((Seconds.FromMicroseconds(0.4), Seconds.FromMicroseconds(5)), CalibrationBounds.CollectiveLatency(H100));
        Assert.Equal((Seconds.FromMicroseconds(1), Seconds.FromMicroseconds(50)), CalibrationBounds.CollectiveLatency(l40s));
    }

    [Fact]
    public void Should_derive_constants_from_its_generation_When_a_gpu_has_no_rows()
    {
        // Given the synthetic H100 rows only, When the whole catalog is calibrated
        var fits = CalibrationFit.FitAll(Synthetic(), TestHardware.Catalog, "synthetic.csv");

        // Then the H100 is fitted, the other Hopper GPUs take its constants (α only where the link is alike),
        // and a generation without rows keeps its defaults
        GpuFit h100 = fits.Single(f => f.Gpu.Id == "H100-SXM-80GB");
        GpuFit h200 = fits.Single(f => f.Gpu.Id == "H200-SXM-141GB");
        GpuFit pcie = fits.Single(f => f.Gpu.Id == "H100-PCIe-80GB");
        GpuFit b200 = fits.Single(f => f.Gpu.Id == "B200");
        Assert.Equal((CalibrationOrigin.Fitted, 28), (h100.Origin, h100.Rows));
        Assert.Equal("calibrated: llmplan calibrate on synthetic.csv (28 rows)", h100.Calibration.Source);
        Assert.Equal(CalibrationOrigin.Derived, h200.Origin);
        Assert.Equal(h100.Calibration with { Source = h200.Calibration.Source }, h200.Calibration);
        Assert.Equal("derived:hopper: median of H100-SXM-80GB calibrated on synthetic.csv", h200.Calibration.Source);
        Assert.Equal(h100.Calibration.ComputeEfficiency, pcie.Calibration.ComputeEfficiency);
        Assert.Equal(Seconds.FromMicroseconds(15), pcie.Calibration.CollectiveLatency);
        Assert.Equal((CalibrationOrigin.Default, "default:blackwell", 0.60), (b200.Origin, b200.Calibration.Source, b200.Calibration.ComputeEfficiency));
        Assert.Equal(TestHardware.Catalog.Gpus.Select(g => g.Id), fits.Select(f => f.Gpu.Id));
    }

    [Fact]
    public void Should_keep_the_measured_host_link_When_a_gpu_is_calibrated()
    {
        var fits = CalibrationFit.FitAll([], TestHardware.Catalog, "none.csv");
        GpuFit t4 = fits.Single(f => f.Gpu.Id == "T4");
        Assert.Equal(TestHardware.Catalog.FindGpu("T4")!.Calibration.HostToDevice, t4.Calibration.HostToDevice);
        Assert.StartsWith("default:turing; host link: FlexGen", t4.Calibration.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_find_the_minimum_When_nelder_mead_minimises_the_rosenbrock_function()
    {
        static double Rosenbrock(double[] x) => (100 * Math.Pow(x[1] - (x[0] * x[0]), 2)) + Math.Pow(1 - x[0], 2);
        var (point, value) = NelderMead.Minimize(Rosenbrock, [-1.2, 1.0], step: 0.5, tolerance: 1e-14, maxEvaluations: 5000);
        Assert.InRange(point[0], 0.9999, 1.0001);
        Assert.InRange(point[1], 0.9998, 1.0002);
        Assert.True(value < 1e-8);
    }

    [Fact]
    public void Should_be_quadratic_for_small_errors_and_flat_for_large_ones_When_the_loss_is_evaluated()
    {
        Assert.Equal(0.0, CalibrationFit.Loss(0));
        Assert.Equal(0.01 * 0.01, CalibrationFit.Loss(0.01), 6);
        Assert.True(CalibrationFit.Loss(Math.Log(10)) < 4 * CalibrationFit.Loss(Math.Log(1.5)), "a factor-10 error costs less than 4 times a 50 % one (a square would cost 32 times)");
        Assert.Equal(CalibrationFit.Loss(-0.3), CalibrationFit.Loss(0.3));
    }
}
