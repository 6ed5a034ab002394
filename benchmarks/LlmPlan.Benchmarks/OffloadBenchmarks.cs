using BenchmarkDotNet.Attributes;
using LlmPlan.Catalog;
using LlmPlan.Planning.Offload;

namespace LlmPlan.Benchmarks;

/// <summary>One offload plan over AWS's single-GPU instances (8 machines): OPT-2.7B, 1024 + 128 tokens, 1000 requests,
/// batch 32 only or every batch from 32 to <see cref="MaxBatchSize"/>.</summary>
public class OffloadBenchmarks
{
    private OffloadRequest _request = null!;

    [Params(32, 128)]
    public int MaxBatchSize { get; set; } = 32;

    [GlobalSetup]
    public void Setup()
    {
        HardwareCatalog catalog = CatalogLoader.BuiltIn;
        _request = new OffloadRequest
        {
            Model = catalog.FindModel("opt-2.7b")!,
            Weights = Precision.Fp16,
            KvCache = Precision.Fp16,
            BatchSize = 32,
            MaxBatchSize = MaxBatchSize,
            InputTokens = 1024,
            OutputTokens = 128,
            Requests = 1000,
            Machines = [.. catalog.Instances.Where(i => i.Provider == "aws" && i.GpuCount == 1).Select(OffloadMachine.FromInstance)],
        };
    }

    [Benchmark]
    public OffloadPlan Plan() => OffloadPlanner.Plan(_request);
}
