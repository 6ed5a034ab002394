using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Planning.Placement;

/// <summary>The values the search works with: machine types, stage options, partial pipelines and their states.</summary>
internal sealed partial class PlacementSearch
{
    /// <summary>A partial pipeline's totals: cost of the machines open, per-GPU cost of its stages, Σ (per-GPU cost ×
    /// stage time) for decode and prefill, slowest decode stage or link, decode sum, slowest prefill stage or link,
    /// prefill sum, step overhead.</summary>
    private readonly record struct Partial(
        double Cost, double Amortized, double WeightedDecode, double WeightedPrefill, double SlowestDecode, double DecodeSum, double SlowestPrefill,
        double PrefillSum, double Overhead);

    /// <summary>Lower bounds on what the remaining layers add: decode sum, slowest decode stage, prefill sum, slowest
    /// prefill stage, Σ (per-GPU cost × time) for decode and prefill, and per-GPU cost.</summary>
    private readonly record struct Rest(
        double DecodeSum, double SlowestDecode, double PrefillSum, double SlowestPrefill, double WeightedDecode, double WeightedPrefill, double Amortized);

    /// <summary>The timing of a partial pipeline: slowest decode stage or link, decode sum, slowest prefill stage or link,
    /// prefill sum, step overhead.</summary>
    private readonly record struct Label(double SlowestDecode, double DecodeSum, double SlowestPrefill, double PrefillSum, double Overhead)
    {
        public bool NoWorseThan(Label other) =>
            SlowestDecode <= other.SlowestDecode && DecodeSum <= other.DecodeSum && SlowestPrefill <= other.SlowestPrefill
            && PrefillSum <= other.PrefillSum && Overhead <= other.Overhead;
    }

    /// <summary>A search state, compared by value.</summary>
    private sealed class StateKey : IEquatable<StateKey>
    {
        private readonly int[] _data;
        private readonly int _hash;

        public StateKey(int[] data)
        {
            _data = data;
            var hash = default(HashCode);
            foreach (int value in data)
            {
                hash.Add(value);
            }

            _hash = hash.ToHashCode();
        }

        public bool Equals(StateKey? other) => other is not null && _data.AsSpan().SequenceEqual(other._data);

        public override bool Equals(object? obj) => Equals(obj as StateKey);

        public override int GetHashCode() => _hash;
    }

    /// <summary>A found placement.</summary>
    /// <param name="Stages">The stages on machines.</param>
    /// <param name="Concurrency">The running sequences N.</param>
    /// <param name="Replicas">The copies.</param>
    /// <param name="Cost">All copies' $/h.</param>
    /// <param name="Throughput">All copies' tokens/s (prompt plus generated).</param>
    internal sealed record Snapshot(IReadOnlyList<MachineStage> Stages, int Concurrency, int Replicas, double Cost, double Throughput);

    /// <summary>An instance type of the pool, with its rates and prices.</summary>
    private sealed class MachineType
    {
        public MachineType(PoolEntry entry, ClusterNetwork network)
        {
            Instance = entry.Instance;
            Count = entry.Count;
            Intra = network.Intra(entry.Instance);
            PerGpu = entry.Instance.BilledPerGpu;
            PricePerGpu = entry.Instance.PricePerGpu.Value;
            PricePerInstance = entry.Instance.PricePerInstance.Value;
        }

        public CloudInstance Instance { get; }

        public int Count { get; }

        public BytesPerSecond Intra { get; }

        public bool PerGpu { get; }

        public double PricePerGpu { get; }

        public double PricePerInstance { get; }
    }

    /// <summary>A TP group of one machine type: its per-layer times and, per layer count and position, its KV capacity
    /// and memory.</summary>
    private sealed class StageOption
    {
        private readonly PlacementSearch _search;
        private readonly Deployment _oneLayer;
        private readonly int[] _capacity;
        private readonly double[] _fixedBytes;
        private readonly double _kvPerTokenLayer;
        private readonly double _capacityBytes;
        private readonly Dictionary<int, (double Layer, double Head)> _decode = [];

        public StageOption(PlacementSearch search, int type, int tensorParallel)
        {
            _search = search;
            Type = type;
            TensorParallel = tensorParallel;
            PlacementProblem problem = search._problem;
            MachineType machine = search._types[type];
            GpuSpec gpu = machine.Instance.Gpu;
            Amortized = machine.PricePerGpu * tensorParallel;
            _oneLayer = new Deployment
            {
                Model = problem.Model, Weights = problem.Weights, KvCache = problem.KvCache, StageLinks = [], CostPerHour = DollarsPerHour.Zero,
                Stages = [new PipelineStage { Gpu = gpu, TensorParallel = tensorParallel, FirstLayer = 0, LayerCount = 1, TensorParallelBandwidth = machine.Intra }],
            };
            PrefillLayer = StageTimeModel.PrefillLayer(_oneLayer, 0, 1.0, search._input).Total.Value;
            PrefillHead = StageTimeModel.LmHead(_oneLayer, 0, 1.0).Value;

            int layers = search._layers;
            _capacity = new int[(layers + 1) * 4];
            _fixedBytes = new double[(layers + 1) * 4];
            Bytes usable = gpu.Memory * problem.Engine.GpuMemoryUtilization;
            Bytes kvPerTokenLayer = MemoryModel.KvBytesPerTokenPerLayer(problem.Model, problem.KvCache, tensorParallel);
            _kvPerTokenLayer = kvPerTokenLayer.Value;
            _capacityBytes = gpu.Memory.Value;
            for (int flags = 0; flags < 4; flags++)
            {
                Bytes activations = MemoryModel.ActivationsPerGpu(problem.Model, tensorParallel, (flags & Last) != 0, problem.Engine);
                for (int n = 1; n <= layers; n++)
                {
                    Bytes weights = MemoryModel.WeightsPerGpu(problem.Model, problem.Weights, tensorParallel, n, (flags & First) != 0, (flags & Last) != 0);
                    Bytes pool = usable - weights - activations;
                    Bytes perSequence = kvPerTokenLayer * n * search._sequenceBlocks;
                    _capacity[(n * 4) + flags] = weights + activations > usable ? 0 : PerformanceModel.SequencesThatFit(pool, perSequence);
                    _fixedBytes[(n * 4) + flags] = (weights + activations).Value;
                }
            }
        }

        public int Type { get; }

        public int TensorParallel { get; }

        /// <summary>Gets the group's GPUs at their per-GPU price, $/h.</summary>
        public double Amortized { get; }

        public double PrefillLayer { get; }

        public double PrefillHead { get; }

        public double DecodeLayer(int batch) => Decode(batch).Layer;

        public double DecodeHead(int batch) => Decode(batch).Head;

        /// <summary>The most layers the group holds as a middle stage (no embedding, LM head or logits: the most of any
        /// position) with at least <paramref name="sequences"/> sequences; 0 when not even one.</summary>
        public int MostLayers(int sequences)
        {
            int low = 0;
            int high = _search._layers;
            while (low < high)
            {
                int middle = (low + high + 1) / 2;
                if (Capacity(middle, 0) >= sequences)
                {
                    low = middle;
                }
                else
                {
                    high = middle - 1;
                }
            }

            return low;
        }

        /// <summary>The sequences of full length whose KV cache fits when the group holds <paramref name="layers"/>.</summary>
        public int Capacity(int layers, int flags) => _capacity[(layers * 4) + flags];

        /// <summary>The memory a GPU uses with <paramref name="running"/> sequences, over its capacity (as the evaluation's
        /// memory breakdown reports it).</summary>
        public double Utilization(int layers, int flags, int running)
        {
            double kv = _kvPerTokenLayer * layers * (running * (double)_search._sequenceBlocks);
            return (_fixedBytes[(layers * 4) + flags] + kv) / _capacityBytes;
        }

        private (double Layer, double Head) Decode(int batch)
        {
            if (!_decode.TryGetValue(batch, out var value))
            {
                value = (StageTimeModel.DecodeLayer(_oneLayer, 0, batch, _search._meanContext).Total.Value, StageTimeModel.LmHead(_oneLayer, 0, batch).Value);
                _decode[batch] = value;
            }

            return value;
        }
    }
}
