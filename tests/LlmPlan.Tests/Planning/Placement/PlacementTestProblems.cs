using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Planning.Placement;

/// <summary>Small random placement problems (seeded): a model of 3–12 layers, at most 3 machines of 1–3 types whose GPUs
/// are catalog GPUs with memory cut down so that stages compete for it, random prices, billing and networks.</summary>
internal static class PlacementTestProblems
{
    private static readonly string[] Gpus = ["A100-SXM-80GB", "L40S", "A10G", "H100-SXM-80GB", "L4", "V100-SXM-32GB"];

    public static ModelArchitecture Model(Random random)
    {
        int heads = random.Next(2) == 0 ? 8 : 16;
        int kvHeads = new[] { 2, 4, 8 }[random.Next(3)];
        int headDim = 64;
        return new ModelArchitecture
        {
            Id = "test-model", Name = "test/model", Layers = random.Next(3, 13), HiddenSize = heads * headDim, FfnSize = heads * headDim * random.Next(2, 5),
            Mlp = MlpKind.Gated, AttentionHeads = heads, KvHeads = Math.Min(kvHeads, heads), HeadDim = headDim, VocabSize = 32000, TiedEmbeddings = random.Next(2) == 0,
            Experts = 1, ActiveExperts = 1, OtherParameters = 0, MaxContext = 8192, Source = "test", Captured = new DateOnly(2026, 1, 1),
        };
    }

    public static PlacementProblem Problem(int seed)
    {
        var random = new Random(seed);
        ModelArchitecture model = Model(random);
        var engine = EngineSettings.Default with { MaxSequences = random.Next(2, 40), MaxBatchedTokens = 512, RuntimeReserve = Bytes.FromGibibytes(0.05) };
        Bytes weights = MemoryModel.WeightsPerGpu(model, Precision.Bf16, 1, model.Layers, true, true);
        int types = random.Next(1, 4);
        int machinesLeft = 3;
        var entries = new List<PoolEntry>();
        for (int i = 0; i < types && machinesLeft > 0; i++)
        {
            GpuSpec gpu = TestHardware.Catalog.FindGpu(Gpus[random.Next(Gpus.Length)])!;
            int gpus = new[] { 1, 2, 4 }[random.Next(3)];

            // Between a quarter and twice the model per GPU, plus the workspace: some stages fit few sequences or none.
            double memory = (engine.RuntimeReserve.Value * 1.5) + (weights.Value * (0.25 + (1.75 * random.NextDouble())));
            gpu = gpu with { Id = gpu.Id + "-small", Memory = Bytes.FromBytes(memory) };
            int count = random.Next(1, machinesLeft + 1);
            machinesLeft -= count;
            bool perGpu = random.Next(2) == 0;
            var instance = new CloudInstance
            {
                Provider = "test", Name = Invariant.Text($"type{i}"), Gpu = gpu, GpuCount = gpus,
                QuotedPrice = DollarsPerHour.FromDollarsPerHour(Math.Round(0.5 + (random.NextDouble() * 4), 2) * (perGpu ? 1 : gpus)),
                PriceBasis = perGpu ? PriceBasis.Gpu : PriceBasis.Instance, BilledPerGpu = perGpu && random.Next(2) == 0,
                Interconnect = random.Next(2) == 0 ? Interconnect.Nvlink : Interconnect.Pcie,
                NetworkBandwidth = random.Next(3) == 0 ? null : BytesPerSecond.FromGigabytesPerSecond(0.5 + (random.NextDouble() * 20)),
                Region = "test", Source = "test", Captured = new DateOnly(2026, 1, 1),
            };
            entries.Add(new PoolEntry(instance, count));
        }

        ClusterNetwork network = random.Next(3) == 0
            ? ClusterNetwork.Generated(BytesPerSecond.FromGigabytesPerSecond(50 + (random.NextDouble() * 200)), BytesPerSecond.FromGigabytesPerSecond(0.2 + (random.NextDouble() * 5)))
            : ClusterNetwork.FromCatalog;
        int? concurrency = random.Next(3) == 0 ? random.Next(1, 50) : null;
        var objective = (PlacementObjective)random.Next(4);
        return new PlacementProblem
        {
            Model = model, Weights = Precision.Bf16, KvCache = random.Next(3) == 0 ? Precision.Fp8 : Precision.Bf16,
            Workload = new Workload(random.Next(16, 2048), random.Next(1, 300), concurrency), Engine = engine,
            Pool = new InstancePool(entries), Network = network, Objective = objective, CostWeight = new[] { 0.1, 0.5, 0.9 }[random.Next(3)],
            Constraints = new PlacementConstraints { MaxStages = random.Next(1, 5), MinLayersPerStage = random.Next(1, 3) },
        };
    }

    /// <summary>Adds random limits, each set between the best and worst value of the feasible placements so that it
    /// binds sometimes.</summary>
    public static PlacementProblem WithLimits(PlacementProblem problem, IReadOnlyList<PlacementBruteForce.Candidate> feasible, int seed)
    {
        var random = new Random(seed);
        if (feasible.Count == 0)
        {
            return problem;
        }

        double Pick(Func<PlacementBruteForce.Candidate, double> metric)
        {
            double a = feasible[random.Next(feasible.Count)].Let(metric);
            double b = feasible[random.Next(feasible.Count)].Let(metric);
            return Math.Min(a, b) + ((Math.Max(a, b) - Math.Min(a, b)) * random.NextDouble());
        }

        PlacementConstraints limits = problem.Constraints;
        if (random.Next(3) == 0)
        {
            limits = limits with { MaxTimeToFirstToken = Seconds.FromSeconds(Pick(c => c.Plan.Evaluation.TimeToFirstToken.Value)) };
        }

        if (random.Next(3) == 0)
        {
            limits = limits with { MaxTimePerOutputToken = Seconds.FromSeconds(Pick(c => c.Plan.Evaluation.TimePerOutputToken.Value)) };
        }

        if (random.Next(3) == 0)
        {
            limits = limits with { MaxCostPerHour = DollarsPerHour.FromDollarsPerHour(Pick(c => c.Plan.CostPerHour.Value)) };
        }

        if (random.Next(4) == 0)
        {
            limits = limits with { MaxCostPerMillionTokens = DollarsPerMillionTokens.FromDollarsPerMillionTokens(Pick(c => c.Plan.DollarsPerMillionTokens.Value)) };
        }

        if (random.Next(4) == 0)
        {
            limits = limits with { MinMemoryUtilization = Pick(c => c.Plan.Evaluation.Stages.Min(s => (s.Memory.Weights + s.Memory.Activations + s.Memory.KvCacheUsed) / s.Memory.Capacity)) };
        }

        if (random.Next(4) == 0)
        {
            double volume = 1e6;
            limits = limits with { TokenVolume = Tokens.FromCount(volume), MaxRuntime = Seconds.FromSeconds(volume / Pick(c => c.Plan.TotalTokensPerSecond.Value)) };
        }

        if (random.Next(4) == 0)
        {
            limits = limits with { TargetTokensPerSecond = TokensPerSecond.FromTokensPerSecond(Pick(c => c.Plan.TotalTokensPerSecond.Value) * (1 + random.NextDouble())), MaxReplicas = random.Next(2) == 0 ? null : random.Next(1, 4) };
        }

        return problem with { Constraints = limits };
    }

    private static double Let<T>(this T value, Func<T, double> metric) => metric(value);
}
