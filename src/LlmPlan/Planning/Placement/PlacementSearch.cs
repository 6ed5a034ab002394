using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Planning.Placement;

/// <summary>The exact search behind <see cref="PlacementPlanner"/> (docs/placement.md).</summary>
/// <remarks>
/// <para>A placement's prediction depends on the stages only through their number p and the running concurrency N: with
/// both fixed, the batch of a micro-batch b = ⌈N / min(p, N)⌉ is fixed, so every stage's decode and prefill times, KV
/// capacity and memory use follow from the stage alone (machine type, TP degree, layers, first or last), and each link's
/// transfer from its two ends. N itself is the smallest stage capacity, capped by the engine. The search therefore splits
/// the placements into cells (p, N): every stage holds at least N sequences and, below the cap, one holds exactly N.
/// Each placement lies in exactly one cell, where its value is computed exactly as <see cref="PerformanceModel"/> does.</para>
/// <para>Inside a cell a depth-first search builds the pipeline stage by stage (options: machine type × TP degree ×
/// layers; the stage goes on the previous stage's machine, on another open machine of the type, or on a new one). A
/// node is cut when a lower bound on its best completion is no better than the incumbent. The bound uses that the
/// cycle is at least K·m·X + O·overhead + N·P (X the slowest decode stage, P the slowest prefill), that the cost is at
/// least the price of the machines already open and at least the per-GPU price of every GPU used, and that
/// cost × X ≥ Σ (GPU price × stage time). For the layers not yet placed it takes either the least per-layer times of
/// any option (<see cref="Weak"/>: it only rises with the current stage's layers, so the first layer count it cuts ends
/// that loop) or stronger figures (<see cref="Strong"/>): one of the q remaining stages holds ⌈r/q⌉ layers, and each
/// machine type's unused GPUs hold only so many layers, filled cheapest type first. Partial pipelines in the same state
/// with a timing no better in any respect are cut (<see cref="Dominated"/>). The same bound orders and cuts whole cells.
/// Cuts never remove a placement that could beat the incumbent, so the result is the optimum.</para>
/// </remarks>
internal sealed partial class PlacementSearch
{
    private const double Tolerance = 1e-12;
    private const int First = 1;
    private const int Last = 2;

    private readonly PlacementProblem _problem;
    private readonly ModelArchitecture _model;
    private readonly MachineType[] _types;
    private readonly StageOption[] _options;
    private readonly BytesPerSecond[,] _between;
    private readonly int _layers;
    private readonly int _input;
    private readonly int _output;
    private readonly double _meanContext;
    private readonly long _sequenceBlocks;
    private readonly int _concurrencyCap;
    private readonly int _minLayers;
    private readonly PlacementConstraints _limits;

    // The cell being searched.
    private int _stages;
    private int _concurrency;
    private int _batch;
    private int _microBatches;
    private bool _needExact;

    // The pipeline being built (index = stage).
    private readonly int[] _stageOption = new int[64];
    private readonly int[] _stageLayers = new int[64];
    private readonly int[] _stageMachine = new int[64];
    private readonly double[] _decode = new double[64];
    private readonly double[] _prefill = new double[64];
    private readonly double[] _linkDecode = new double[64];
    private readonly double[] _linkPrefill = new double[64];

    // Open machines (index = order of first use).
    private const int MaxDepth = 64;
    private const int ChoiceSlots = 66;
    private readonly int[] _choices = new int[64 * ChoiceSlots];
    private readonly int[] _machineType = new int[64];
    private readonly int[] _machineUsed = new int[64];
    private readonly int[] _machineOrdinal = new int[64];
    private int _machineCount;
    private readonly int[] _openPerType;
    private readonly int[] _usedPerType;

    // Per machine type, for the cell: the layers one GPU can hold (weights and the KV cache of N sequences), and per
    // key the least per-layer value of its options (decode time, prefill time, the same × per-GPU price, memory cost),
    // with the types in ascending order of each key.
    private const int Keys = 5;
    private const int KeyDecode = 0;
    private const int KeyPrefill = 1;
    private const int KeyWeightedDecode = 2;
    private const int KeyWeightedPrefill = 3;
    private const int KeyMemory = 4;
    private readonly double[,] _typeBounds;
    private readonly int[,] _typeOrder;
    private readonly double[] _layersPerGpu;

    // Per machine type, for the cell: the engine's overhead of a step of N sequences, o + o_s·N.
    private readonly double[] _typeOverhead;

    private double _incumbent = double.PositiveInfinity;
    private double _lastBound;
    private Snapshot? _best;
    private readonly Dictionary<StateKey, List<Label>> _seen = [];
    private long _cells;
    private long _nodes;
    private long _leaves;

    public PlacementSearch(PlacementProblem problem)
    {
        _problem = problem;
        _model = problem.Model;
        _limits = problem.Constraints;
        _layers = _model.Layers;
        _input = problem.Workload.InputTokens;
        _output = problem.Workload.OutputTokens;
        _meanContext = _input + (_output / 2.0);
        int blockTokens = problem.Engine.KvBlockTokens;
        _sequenceBlocks = (_input + _output + blockTokens - 1L) / blockTokens * blockTokens;
        _concurrencyCap = problem.ConcurrencyCap;
        _minLayers = Math.Max(1, _limits.MinLayersPerStage);
        _types = [.. problem.Pool.Entries.Select(e => new MachineType(e, problem.Network))];
        _openPerType = new int[_types.Length];
        _usedPerType = new int[_types.Length];
        _typeBounds = new double[Keys, _types.Length];
        _typeOrder = new int[Keys, _types.Length];
        _layersPerGpu = new double[_types.Length];
        _typeOverhead = new double[_types.Length];
        _bigDecode = new double[_layers + 2];
        _bigPrefill = new double[_layers + 2];
        _bigWeightedDecode = new double[_layers + 2];
        _bigWeightedPrefill = new double[_layers + 2];
        _between = new BytesPerSecond[_types.Length, _types.Length];
        for (int a = 0; a < _types.Length; a++)
        {
            for (int b = 0; b < _types.Length; b++)
            {
                _between[a, b] = problem.Network.Between(_types[a].Instance, _types[b].Instance);
            }
        }

        var options = new List<StageOption>();
        for (int type = 0; type < _types.Length; type++)
        {
            foreach (int t in problem.TensorParallelDegrees.Distinct().Order())
            {
                // A group whose machine alone costs more than the hourly cap can never be used.
                MachineType machine = _types[type];
                double least = machine.PerGpu ? machine.PricePerGpu * t : machine.PricePerInstance;
                bool affordable = _limits.MaxCostPerHour is not { } cap || least <= cap.Value * (1 + Tolerance);
                if (t <= machine.Instance.GpuCount && affordable && PerformanceModel.ConfigurationProblem(_model, t).Length == 0)
                {
                    options.Add(new StageOption(this, type, t));
                }
            }
        }

        _options = [.. options];
    }

    /// <summary>Gets what the search did so far.</summary>
    public PlacementSearchStatistics Statistics => new(_cells, _nodes, _leaves);

    /// <summary>Finds the optimum, or null when no placement meets the limits.</summary>
    public Snapshot? Optimum()
    {
        foreach (var (p, n, _) in Cells())
        {
            Search(p, n);
        }

        return _best;
    }

    /// <summary>The cells in the order searched: by their bound (best first) so that a good incumbent cuts the rest;
    /// cells whose bound cannot beat the incumbent are skipped when reached.</summary>
    private IEnumerable<(int Stages, int Concurrency, double Bound)> Cells()
    {
        int maxStages = Math.Min(Math.Min(_limits.MaxStages, _layers / _minLayers), MaxDepth);
        var cells = new List<(int, int, double)>();
        for (int p = 1; p <= maxStages; p++)
        {
            for (int n = _concurrencyCap; n >= 1; n--)
            {
                cells.Add((p, n, CellBound(p, n)));
            }
        }

        IEnumerable<(int P, int N, double Bound)> ordered = cells.OrderBy(c => c.Item3).ThenBy(c => c.Item1).ThenByDescending(c => c.Item2);
        foreach (var cell in ordered)
        {
            if (double.IsPositiveInfinity(cell.Bound) || (double.IsFinite(_incumbent) && Cuts(cell.Bound)))
            {
                continue;
            }

            yield return cell;
        }
    }

    private bool Cuts(double bound) => bound >= _incumbent - (Math.Abs(_incumbent) * Tolerance);

    /// <summary>The bound of a whole cell, or +∞ when no placement in it can meet the limits.</summary>
    private double CellBound(int p, int n)
    {
        SetCell(p, n);
        var empty = new Partial(0, 0, 0, 0, 0, 0, 0, 0, 0);
        if (Strong(_layers, p) is not { } rest)
        {
            return double.PositiveInfinity;
        }

        double incumbent = _incumbent;
        _incumbent = double.PositiveInfinity;
        bool cut = Prunes(empty, rest);
        _incumbent = incumbent;
        return cut ? double.PositiveInfinity : _lastBound;
    }

    private void SetCell(int p, int n)
    {
        _stages = p;
        _concurrency = n;
        _microBatches = Math.Min(p, n);
        _batch = (int)Math.Ceiling(n / (double)_microBatches);
        _needExact = n < _concurrencyCap;
        double layerBytes = (_model.ParametersPerLayer * _problem.Weights.BytesPerElement())
            + (n * (double)_sequenceBlocks * MemoryModel.KvBytesPerTokenPerLayer(_model, _problem.KvCache, 1).Value);

        for (int type = 0; type < _types.Length; type++)
        {
            MachineType machine = _types[type];
            _layersPerGpu[type] = machine.Instance.Gpu.Memory.Value * _problem.Engine.GpuMemoryUtilization / layerBytes;
            _typeOverhead[type] = machine.Instance.Gpu.Calibration.Overhead(n).Value;
            for (int key = 0; key < Keys; key++)
            {
                _typeBounds[key, type] = double.PositiveInfinity;
            }

            _typeBounds[KeyMemory, type] = machine.PricePerGpu / _layersPerGpu[type];
        }

        foreach (StageOption option in _options)
        {
            double decode = option.DecodeLayer(_batch);
            int type = option.Type;
            _typeBounds[KeyDecode, type] = Math.Min(_typeBounds[KeyDecode, type], decode);
            _typeBounds[KeyPrefill, type] = Math.Min(_typeBounds[KeyPrefill, type], option.PrefillLayer);
            _typeBounds[KeyWeightedDecode, type] = Math.Min(_typeBounds[KeyWeightedDecode, type], option.Amortized * decode);
            _typeBounds[KeyWeightedPrefill, type] = Math.Min(_typeBounds[KeyWeightedPrefill, type], option.Amortized * option.PrefillLayer);
        }

        // The least per-layer figures of any option are the least over the types; the memory cost counts only types
        // that have an option (the others host no stage).
        _minimumDecodeLayer = _minimumWeightedDecode = _minimumPrefillLayer = _minimumWeightedPrefill = _memoryCostPerLayer = double.PositiveInfinity;
        for (int type = 0; type < _types.Length; type++)
        {
            if (!double.IsPositiveInfinity(_typeBounds[KeyDecode, type]))
            {
                _minimumDecodeLayer = Math.Min(_minimumDecodeLayer, _typeBounds[KeyDecode, type]);
                _minimumWeightedDecode = Math.Min(_minimumWeightedDecode, _typeBounds[KeyWeightedDecode, type]);
                _minimumPrefillLayer = Math.Min(_minimumPrefillLayer, _typeBounds[KeyPrefill, type]);
                _minimumWeightedPrefill = Math.Min(_minimumWeightedPrefill, _typeBounds[KeyWeightedPrefill, type]);
                _memoryCostPerLayer = Math.Min(_memoryCostPerLayer, layerBytes * (_types[type].PricePerGpu / (_types[type].Instance.Gpu.Memory.Value * _problem.Engine.GpuMemoryUtilization)));
            }
        }

        if (_options.Length == 0)
        {
            _minimumDecodeLayer = _minimumWeightedDecode = _minimumPrefillLayer = _minimumWeightedPrefill = _memoryCostPerLayer = 0;
        }

        for (int key = 0; key < Keys; key++)
        {
            int k = key;
            int[] order = [.. Enumerable.Range(0, _types.Length).OrderBy(t => _typeBounds[k, t])];
            for (int i = 0; i < order.Length; i++)
            {
                _typeOrder[key, i] = order[i];
            }
        }

        // Per layer count n, the least per-layer times of the options that hold n layers of a middle stage (the most
        // any position holds) with N sequences; +∞ where none does.
        Array.Fill(_bigDecode, double.PositiveInfinity);
        Array.Fill(_bigPrefill, double.PositiveInfinity);
        Array.Fill(_bigWeightedDecode, double.PositiveInfinity);
        Array.Fill(_bigWeightedPrefill, double.PositiveInfinity);
        foreach (StageOption option in _options)
        {
            int most = option.MostLayers(n);
            if (most > 0)
            {
                double decode = option.DecodeLayer(_batch);
                _bigDecode[most] = Math.Min(_bigDecode[most], decode);
                _bigPrefill[most] = Math.Min(_bigPrefill[most], option.PrefillLayer);
                _bigWeightedDecode[most] = Math.Min(_bigWeightedDecode[most], option.Amortized * decode);
                _bigWeightedPrefill[most] = Math.Min(_bigWeightedPrefill[most], option.Amortized * option.PrefillLayer);
            }
        }

        _mostLayers = 0;
        for (int layers = _layers; layers >= 1 && _mostLayers == 0; layers--)
        {
            if (!double.IsPositiveInfinity(_bigDecode[layers]))
            {
                _mostLayers = layers;
            }
        }

        for (int layers = _layers - 1; layers >= 1; layers--)
        {
            _bigDecode[layers] = Math.Min(_bigDecode[layers], _bigDecode[layers + 1]);
            _bigPrefill[layers] = Math.Min(_bigPrefill[layers], _bigPrefill[layers + 1]);
            _bigWeightedDecode[layers] = Math.Min(_bigWeightedDecode[layers], _bigWeightedDecode[layers + 1]);
            _bigWeightedPrefill[layers] = Math.Min(_bigWeightedPrefill[layers], _bigWeightedPrefill[layers + 1]);
        }
    }
}
