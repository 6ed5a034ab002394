using BenchmarkDotNet.Attributes;
using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.IO.Placement;
using LlmPlan.IO.Seed;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Validation;

namespace LlmPlan.Benchmarks;

/// <summary>The exact placement of llama3-70b (2048 in / 512 out, least $/Mtok) over the seed's HEAD AWS pool
/// (examples/seed/aws-llama3-70b: 12 instance types, 124 machines, 632 GPUs), that pool with <see cref="PoolScale"/> × the
/// machines, with 1 instead of 5 minimum layers per stage, with models of 32 and 126 layers, and the mixed example spec
/// (4 machines of 3 types).</summary>
public class PlacementBenchmarks
{
    private PlacementProblem _aws = null!;
    private PlacementProblem _mixed = null!;
    private PlacementProblem _small = null!;
    private PlacementProblem _large = null!;

    [Params(1, 5)]
    public int PoolScale { get; set; } = 1;

    [GlobalSetup]
    public void Setup()
    {
        HardwareCatalog catalog = CatalogLoader.BuiltIn;
        var errors = new InputErrors();
        SeedConfigDirectory seed = SeedConfigDirectory.Load(BenchmarkFiles.InRepository("examples", "seed", "aws-llama3-70b"), catalog, "aws", errors, readNetwork: false)
            ?? throw new InvalidOperationException(string.Join("; ", errors.All));
        _aws = new PlacementProblem
        {
            Model = seed.Model, Weights = Precision.Bf16, KvCache = Precision.Bf16, Workload = new Workload(2048, 512, null),
            Engine = EngineSettings.Default with { GpuMemoryUtilization = seed.Config.GpuMemoryUtilization },
            Pool = new InstancePool([.. seed.Pool.Entries.Select(e => e with { Count = e.Count * PoolScale })]),
            Constraints = new PlacementConstraints
            {
                MaxStages = seed.Config.MaxPipelineStages, MinLayersPerStage = seed.Config.MinLayersPerStage, MinMemoryUtilization = seed.Config.MinMemoryUtilization,
            },
        };
        _small = _aws with { Model = catalog.FindModel("llama-3.1-8b")!, Constraints = _aws.Constraints with { MinLayersPerStage = 1 } };
        _large = _aws with { Model = catalog.FindModel("llama-3.1-405b")!, Constraints = _aws.Constraints with { MinLayersPerStage = 1 } };
        _mixed = PlacementSpecFile.Read(BenchmarkFiles.InRepository("examples", "place", "llama-70b-mixed.yaml"), catalog).Problem;
    }

    /// <summary>The acceptance problem (goal: at most 1 s on one core; under 10 s for a 5× larger pool).</summary>
    [Benchmark]
    public PlacementResult SeedPool() => PlacementPlanner.Solve(_aws);

    /// <summary>The same with stages of any length (more layer splits to rule out).</summary>
    [Benchmark]
    public PlacementResult SeedPoolAnyStageLength() => PlacementPlanner.Solve(_aws with { Constraints = _aws.Constraints with { MinLayersPerStage = 1 } });

    /// <summary>The seed's pool with llama-3.1-8b (32 layers), stages of any length.</summary>
    [Benchmark]
    public PlacementResult SeedPool32Layers() => PlacementPlanner.Solve(_small);

    /// <summary>The seed's pool with llama-3.1-405b (126 layers), stages of any length.</summary>
    [Benchmark]
    public PlacementResult SeedPool126Layers() => PlacementPlanner.Solve(_large);

    /// <summary>The mixed example spec: a small pool whose optimum mixes GPU types.</summary>
    [Benchmark]
    public PlacementResult MixedSpec() => PlacementPlanner.Solve(_mixed);
}
