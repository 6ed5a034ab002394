using BenchmarkDotNet.Attributes;
using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.IO;
using LlmPlan.IO.Seed;
using LlmPlan.Performance;
using LlmPlan.Planning.Sweeps;
using LlmPlan.Validation;

namespace LlmPlan.Benchmarks;

/// <summary>The uniform sweep of <c>evaluate --sweep</c> over the seed's AWS pool (examples/seed/aws-llama3-70b: 12
/// instance types, 632 GPUs, 159 configurations), llama3-70b from its config.csv, 2048 input and 512 output tokens,
/// concurrency max. The seed ran one Python process per configuration.</summary>
[MemoryDiagnoser]
public class UniformSweepBenchmarks
{
    private ModelArchitecture _model = null!;
    private InstancePool _pool = null!;

    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        var errors = new InputErrors();
        SeedConfigDirectory directory = SeedConfigDirectory.Load(BenchmarkFiles.InRepository("examples", "seed", "aws-llama3-70b"), CatalogLoader.BuiltIn, "aws", errors)!;
        errors.ThrowIfAny();
        _model = directory.Model;
        _pool = directory.Pool;
    }

    [Benchmark]
    public IReadOnlyList<EvaluatedDeployment> Sweep() =>
        UniformSweep.Run(_model, _pool, new Workload(2048, 512, null), Precision.Bf16, Precision.Bf16, EngineSettings.Default, maxParallelism: Threads);
}
