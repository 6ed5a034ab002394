using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Tests.Infrastructure;

/// <summary>Hardware with round numbers so that tests can write their arithmetic out by hand.</summary>
public static class TestHardware
{
    public static HardwareCatalog Catalog => CatalogLoader.BuiltIn;

    public static ModelArchitecture Model(string id) => Catalog.FindModel(id)!;

    /// <summary>A GPU with 100 TFLOP/s (all precisions), 1000 GB/s, efficiencies 1, no step overhead or collective latency,
    /// an NVLink of 200 GB/s in total (100 GB/s per direction) and PCIe gen4 x16.</summary>
    public static GpuSpec RoundGpu(double memoryGib = 80) => new()
    {
        Id = "ROUND", Name = "round-number test GPU", Vendor = "test", Architecture = "test",
        Memory = Bytes.FromGibibytes(memoryGib), MemoryBandwidth = BytesPerSecond.FromGigabytesPerSecond(1000),
        Fp16Peak = FlopsPerSecond.FromTeraflops(100), NvlinkBandwidth = BytesPerSecond.FromGigabytesPerSecond(200),
        PcieGeneration = 4, PcieLanes = 16,
        Calibration = new GpuCalibration(1.0, 1.0, Seconds.Zero, Seconds.Zero, "test"),
        Source = "test", Captured = new DateOnly(2026, 1, 1),
    };

    public static Deployment Uniform(string model, GpuSpec gpu, int tp, int pp, Precision weights = Precision.Bf16, Precision? kv = null)
    {
        var hardware = Hardware.ForGpu(gpu, Catalog, null);
        return UniformLayout.Build(Model(model), hardware, tp, pp, weights, kv ?? Precision.Bf16).Deployment!;
    }
}
