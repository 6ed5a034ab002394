using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Planning.Placement;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Planning.Placement;

/// <summary>Random placement problems (seeded): small ones (a model of 3–12 layers, at most 3 machines of 1–3 types) for
/// brute force and medium ones (8–24 layers, 4–8 machines of 2–4 types) for the MILP; the GPUs are catalog GPUs with memory
/// cut down so that stages compete for it, with random prices, billing and networks.</summary>
internal static class PlacementTestProblems
{
    private static readonly string[] Gpus = ["A100-SXM-80GB", "L40S", "A10G", "H100-SXM-80GB", "L4", "V100-SXM-32GB"];

    public static ModelArchitecture Model(Random random, int minLayers = 3, int maxLayers = 12)
    {
        int heads = random.Next(2) == 0 ? 8 : 16;
        int kvHeads = new[] { 2, 4, 8 }[random.Next(3)];
        int headDim = 64;
        return new ModelArchitecture
        {
            Id = "test-model", Name = "test/model", Layers = random.Next(minLayers, maxLayers + 1), HiddenSize = heads * headDim, FfnSize = heads * headDim * random.Next(2, 5),
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
            entries.Add(Entry(random, i, [1, 2, 4], (0.25, 1.75), (0.5, 20), weights, engine, () => random.Next(1, machinesLeft + 1)));
            machinesLeft -= entries[^1].Count;
        }

        ClusterNetwork network = Network(random, (0.2, 5));
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

    /// <summary>A medium problem for the MILP cross-check: a model of 8–24 layers, 4–8 machines of 2–4 types with 1–8 GPUs
    /// of 0.15–1.2 times the model's weights each, networks of 0.01–2 GB/s between machines (slow enough that links can
    /// bind), at most 2–4 stages, an engine that runs at most 1–6 sequences, the least $/h objective and no limits yet.</summary>
    public static PlacementProblem Medium(int seed)
    {
        var random = new Random(seed);
        ModelArchitecture model = Model(random, 8, 24);
        var engine = EngineSettings.Default with { MaxSequences = random.Next(1, 7), MaxBatchedTokens = 512, RuntimeReserve = Bytes.FromGibibytes(0.05) };
        Bytes weights = MemoryModel.WeightsPerGpu(model, Precision.Bf16, 1, model.Layers, true, true);
        int types = random.Next(2, 5);
        int machines = random.Next(Math.Max(4, types), 9);
        var entries = new List<PoolEntry>();
        for (int i = 0; i < types; i++)
        {
            // Every type has a machine; the last takes the rest.
            int left = machines - entries.Sum(e => e.Count);
            int typesAfter = types - i - 1;
            entries.Add(Entry(random, i, [1, 2, 4, 8], (0.15, 1.05), (0.02, 2), weights, engine, () => typesAfter == 0 ? left : random.Next(1, left - typesAfter + 1)));
        }

        ClusterNetwork network = Network(random, (0.01, 0.5));
        int? concurrency = random.Next(3) == 0 ? random.Next(1, 7) : null;
        return new PlacementProblem
        {
            Model = model, Weights = Precision.Bf16, KvCache = random.Next(3) == 0 ? Precision.Fp8 : Precision.Bf16,
            Workload = new Workload(random.Next(16, 2048), random.Next(1, 300), concurrency), Engine = engine,
            Pool = new InstancePool(entries), Network = network, Objective = PlacementObjective.CostPerHour,
            Constraints = new PlacementConstraints { MaxStages = random.Next(2, 5), MinLayersPerStage = random.Next(1, 3) },
        };
    }

    /// <summary>Adds a throughput floor (a job of 10⁹ tokens and a longest runtime) at a random fraction between 0.4 and
    /// 1.1 of <paramref name="fastest"/> tokens/s, so that it binds mostly and sometimes cannot be met.</summary>
    public static PlacementProblem WithThroughputFloor(PlacementProblem problem, double fastest, int seed)
    {
        var random = new Random(seed);
        double volume = 1e9;
        double rate = fastest * (0.4 + (0.7 * random.NextDouble()));
        return problem with { Constraints = problem.Constraints with { TokenVolume = Tokens.FromCount(volume), MaxRuntime = Seconds.FromSeconds(volume / rate) } };
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

    /// <summary>A pool entry: a catalog GPU with memory for the workspace plus a share of the model's weights (least +
    /// spread × a uniform draw), so that some stages fit few sequences or none, on machines of one of
    /// <paramref name="gpuCounts"/> GPUs, with a random price, billing, interconnect and network (GB/s, drawn the same
    /// way, or the catalog's default); <paramref name="count"/> draws the machines.</summary>
    private static PoolEntry Entry(
        Random random, int index, int[] gpuCounts, (double Least, double Spread) share, (double Least, double Spread) gigabytesPerSecond, Bytes weights,
        EngineSettings engine, Func<int> count)
    {
        GpuSpec gpu = TestHardware.Catalog.FindGpu(Gpus[random.Next(Gpus.Length)])!;
        int gpus = gpuCounts[random.Next(gpuCounts.Length)];
        double memory = (engine.RuntimeReserve.Value * 1.5) + (weights.Value * (share.Least + (share.Spread * random.NextDouble())));
        gpu = gpu with { Id = gpu.Id + "-small", Memory = Bytes.FromBytes(memory) };
        int machines = count();
        bool perGpu = random.Next(2) == 0;
        var instance = new CloudInstance
        {
            Provider = "test", Name = Invariant.Text($"type{index}"), Gpu = gpu, GpuCount = gpus,
            QuotedPrice = DollarsPerHour.FromDollarsPerHour(Math.Round(0.5 + (random.NextDouble() * 4), 2) * (perGpu ? 1 : gpus)),
            PriceBasis = perGpu ? PriceBasis.Gpu : PriceBasis.Instance, BilledPerGpu = perGpu && random.Next(2) == 0,
            Interconnect = random.Next(2) == 0 ? Interconnect.Nvlink : Interconnect.Pcie,
            NetworkBandwidth = random.Next(3) == 0 ? null : BytesPerSecond.FromGigabytesPerSecond(gigabytesPerSecond.Least + (random.NextDouble() * gigabytesPerSecond.Spread)),
            Region = "test", Source = "test", Captured = new DateOnly(2026, 1, 1),
        };
        return new PoolEntry(instance, machines);
    }

    /// <summary>The catalog's interconnects (two times in three) or a generated network: 50–250 GB/s inside a machine and
    /// least + spread × a uniform draw GB/s between machines.</summary>
    private static ClusterNetwork Network(Random random, (double Least, double Spread) between) => random.Next(3) == 0
        ? ClusterNetwork.Generated(BytesPerSecond.FromGigabytesPerSecond(50 + (random.NextDouble() * 200)), BytesPerSecond.FromGigabytesPerSecond(between.Least + (random.NextDouble() * between.Spread)))
        : ClusterNetwork.FromCatalog;

    private static double Let<T>(this T value, Func<T, double> metric) => metric(value);
}
