using BenchmarkDotNet.Attributes;
using LlmPlan.Accuracy;
using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.IO;
using LlmPlan.Performance;
using LlmPlan.Validation;

namespace LlmPlan.Benchmarks;

/// <summary>The project's calibration file (456 rows): predicting every row, as <c>llmplan validate</c> does, and
/// fitting the H100's constants to its 91 rows, one GPU of <c>llmplan calibrate</c>; and the closed-loop simulation
/// behind the TTFT rows, for the file's smallest and largest benchmark.</summary>
public class AccuracyBenchmarks
{
    private IReadOnlyList<PreparedMeasurement> _rows = null!;
    private List<PreparedMeasurement> _h100 = null!;
    private GpuSpec _gpu = null!;
    private Deployment _small = null!;
    private Deployment _large = null!;

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
        HardwareCatalog catalog = CatalogLoader.BuiltIn;
        _small = UniformLayout.Build(catalog.FindModel("llama-3.1-8b")!, Hardware.ForGpu(_gpu, catalog, null), 1, 1, Precision.Bf16, Precision.Bf16).Deployment!;
        _large = UniformLayout.Build(catalog.FindModel("llama-3.1-8b")!, Hardware.ForGpu(catalog.FindGpu("H200-SXM-141GB")!, catalog, null), 8, 1, Precision.Fp8, Precision.Fp8).Deployment!;
    }

    [Benchmark]
    public ValidationReport PredictEveryRow() => ValidationReport.Of([.. _rows.Select(r => MeasurementPredictor.Predict(r))]);

    [Benchmark]
    public GpuCalibration FitH100() => CalibrationFit.FitGpu(_gpu, _h100).Calibration;

    /// <summary>8 clients of 1024 + 128 tokens on one H100 (row d1-0001's setting): 12 requests per client.</summary>
    [Benchmark]
    public ClosedLoopResult SimulateEightClients() => ClosedLoopSimulation.Run(_small, 1024, 128, 8, 256, EngineSettings.Default);

    /// <summary>512 clients of 1000 + 2000 tokens on 8 H200s (row d1-0071's setting, the file's longest simulation).</summary>
    [Benchmark]
    public ClosedLoopResult SimulateFiveHundredClients() => ClosedLoopSimulation.Run(_large, 1000, 2000, 512, 4096, EngineSettings.Default);
}
