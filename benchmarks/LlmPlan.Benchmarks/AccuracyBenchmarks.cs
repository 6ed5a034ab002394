using BenchmarkDotNet.Attributes;
using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.IO;
using LlmPlan.Validation;

namespace LlmPlan.Benchmarks;

/// <summary>The project's calibration file (456 rows): predicting every row, as <c>llmplan validate</c> does, and
/// fitting the H100's constants to its 91 rows, one GPU of <c>llmplan calibrate</c>.</summary>
public class AccuracyBenchmarks
{
    private IReadOnlyList<PreparedMeasurement> _rows = null!;
    private List<PreparedMeasurement> _h100 = null!;
    private GpuSpec _gpu = null!;

    [GlobalSetup]
    public void Setup()
    {
        var errors = new InputErrors();
        var measurements = MeasurementReader.Read(BenchmarkFiles.InRepository("examples", "validate", "calibration.csv"), errors);
        errors.ThrowIfAny();
        var caps = new Dictionary<string, int> { ["vllm:0.10.0"] = 50 };
        _rows = [.. measurements.Select(m => MeasurementPredictor.Prepare(m, CatalogLoader.BuiltIn, caps))];
        _gpu = CatalogLoader.BuiltIn.FindGpu("H100-SXM-80GB")!;
        _h100 = [.. _rows.Where(r => r.Gpu?.Id == _gpu.Id)];
    }

    [Benchmark]
    public ValidationReport PredictEveryRow() => ValidationReport.Of([.. _rows.Select(r => MeasurementPredictor.Predict(r))]);

    [Benchmark]
    public GpuCalibration FitH100() => CalibrationFit.FitGpu(_gpu, _h100).Calibration;
}
