using BenchmarkDotNet.Attributes;
using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;

namespace LlmPlan.Benchmarks;

/// <summary>One evaluation of the performance model: the inner loop of every planner and sweep.</summary>
/// <remarks>Inputs: llama-3.1-70b on H100-SXM-80GB, 2048 input and 512 output tokens, concurrency max, for the
/// uniform layouts TP × PP given by <see cref="Layout"/>.</remarks>
[MemoryDiagnoser]
public class PerformanceModelBenchmarks
{
    private Deployment _deployment = null!;
    private readonly Workload _workload = new(2048, 512, null);

    [Params("tp4-pp1", "tp2-pp4", "tp1-pp8")]
    public string Layout { get; set; } = "tp4-pp1";

    [GlobalSetup]
    public void Setup()
    {
        HardwareCatalog catalog = CatalogLoader.BuiltIn;
        int tp = Layout[2] - '0';
        int pp = Layout[6] - '0';
        var hardware = Hardware.ForGpu(catalog.FindGpu("H100-SXM-80GB")!, catalog, null);
        _deployment = UniformLayout.Build(catalog.FindModel("llama-3.1-70b")!, hardware, tp, pp, Precision.Bf16, Precision.Bf16).Deployment!;
    }

    [Benchmark]
    public Evaluation Evaluate() => PerformanceModel.Evaluate(_deployment, _workload);
}

/// <summary>Loading and validating the built-in catalog (every verb's start-up).</summary>
[MemoryDiagnoser]
public class CatalogBenchmarks
{
    [Benchmark]
    public HardwareCatalog LoadBuiltIn() => CatalogLoader.Load(null);
}
