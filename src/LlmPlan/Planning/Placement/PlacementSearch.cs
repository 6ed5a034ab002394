using LlmPlan.Catalog;
using LlmPlan.Cluster;
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

    private void Search(int p, int n)
    {
        SetCell(p, n);
        _cells++;
        _machineCount = 0;
        Array.Clear(_openPerType);
        Array.Clear(_usedPerType);
        _seen.Clear();
        Extend(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false);
    }

    /// <summary>Places stage k, which starts at <paramref name="layer"/>.</summary>
    private void Extend(
        int k, int layer, double cost, double amortized, double weightedDecode, double weightedPrefill,
        double slowestDecode, double decodeSum, double slowestPrefill, double prefillSum, double overhead, bool exactSeen)
    {
        if (k > 0 && Dominated(k, layer, exactSeen, new Label(slowestDecode, decodeSum, slowestPrefill, prefillSum, overhead)))
        {
            return;
        }

        _nodes++;
        int remaining = _layers - layer;
        int stagesLeft = _stages - k;
        bool last = stagesLeft == 1;
        int minN = last ? remaining : _minLayers;
        int maxN = last ? remaining : remaining - (_minLayers * (stagesLeft - 1));
        if (minN < _minLayers || maxN < minN)
        {
            return;
        }

        int flags = (k == 0 ? First : 0) | (last ? Last : 0);
        int previous = k > 0 ? _stageMachine[k - 1] : -1;
        for (int o = 0; o < _options.Length; o++)
        {
            StageOption option = _options[o];
            MachineType type = _types[option.Type];
            double decodeLayer = option.DecodeLayer(_batch);
            double decodeHead = last ? option.DecodeHead(_batch) : 0;
            double prefillHead = last ? option.PrefillHead : 0;
            double stageOverhead = Math.Max(overhead, type.Overhead);

            // Where the stage goes: 0 = the previous stage's machine, 1..n = another open machine of the type (one per
            // distinct free-GPU count), -1 = a new machine.
            int choices = Machines(option, previous, k);
            for (int c = 0; c < choices; c++)
            {
                int machine = _choices[(k * ChoiceSlots) + c];
                bool opensMachine = machine < 0;
                double machineCost = type.PerGpu ? type.PricePerGpu * option.TensorParallel : opensMachine ? type.PricePerInstance : 0;
                double newCost = cost + machineCost;
                if (_limits.MaxCostPerHour is { } maxCost && newCost > maxCost.Value * (1 + Tolerance))
                {
                    continue;
                }

                bool colocated = machine >= 0 && machine == previous;
                double linkDecode = 0;
                double linkPrefill = 0;
                if (k > 0)
                {
                    MachineType from = _types[_machineType[previous]];
                    BytesPerSecond link = colocated ? type.Intra : _between[_machineType[previous], option.Type];
                    linkDecode = StageTimeModel.StageTransfer(_model, link, from.Instance.Gpu, _batch).Value;
                    linkPrefill = StageTimeModel.StageTransfer(_model, link, from.Instance.Gpu, _input).Value;
                }

                int target = opensMachine ? _machineCount : machine;
                if (opensMachine)
                {
                    _machineType[target] = option.Type;
                    _machineUsed[target] = 0;
                    _machineOrdinal[target] = _openPerType[option.Type];
                    _openPerType[option.Type]++;
                    _machineCount++;
                }

                _machineUsed[target] += option.TensorParallel;
                _usedPerType[option.Type] += option.TensorParallel;
                // Ascending layers: the capacity only falls and every bound only rises with n (each option's per-layer
                // times are at least the minima the bounds assume for the remaining layers), so the first n that fails
                // either ends the loop.
                // The remaining stages hold at most their number × the most layers any option holds with N sequences,
                // and the unused GPUs at most what their memory holds: fewer layers here leave too many.
                int fewest = minN;
                if (!last)
                {
                    fewest = Math.Max(fewest, remaining - ((stagesLeft - 1) * _mostLayers));
                    fewest = Math.Max(fewest, remaining - (int)Math.Floor(Room() + 1e-9));
                }

                for (int n = fewest; n <= maxN; n++)
                {
                    int capacity = option.Capacity(n, flags);
                    if (capacity < _concurrency)
                    {
                        break;
                    }

                    bool exact = exactSeen || (_needExact && capacity == _concurrency);
                    if (last && _needExact && !exact)
                    {
                        continue;
                    }

                    if (_limits.MinMemoryUtilization > 0 && option.Utilization(n, flags, _concurrency) < _limits.MinMemoryUtilization)
                    {
                        continue;
                    }

                    double decode = (decodeLayer * n) + decodeHead;
                    double prefill = (option.PrefillLayer * n) + prefillHead;
                    var placed = new Partial(
                        newCost, amortized + option.Amortized, weightedDecode + (option.Amortized * decode), weightedPrefill + (option.Amortized * prefill),
                        Math.Max(slowestDecode, Math.Max(decode, linkDecode)), decodeSum + decode + linkDecode,
                        Math.Max(slowestPrefill, Math.Max(prefill, linkPrefill)), prefillSum + prefill + linkPrefill, stageOverhead);
                    int after = remaining - n;

                    // The remaining layers take at least the fastest (and cheapest per GPU-hour) per-layer time of any
                    // option: this bound only rises with n, so the first n it cuts ends the loop.
                    if (Prunes(placed, Weak(after)))
                    {
                        break;
                    }

                    // A stronger bound that may fall as n grows (so only this n is cut): one of the q remaining stages holds
                    // at least ⌈r/q⌉ layers, so its option must fit that many with N sequences; and the remaining layers
                    // need GPU memory for their weights and KV cache at the pool's cheapest memory.
                    if (Strong(after, stagesLeft - 1) is not { } rest || Prunes(placed, rest))
                    {
                        continue;
                    }

                    _stageOption[k] = o;
                    _stageLayers[k] = n;
                    _stageMachine[k] = target;
                    _decode[k] = decode;
                    _prefill[k] = prefill;
                    _linkDecode[k] = linkDecode;
                    _linkPrefill[k] = linkPrefill;
                    if (last)
                    {
                        Leaf();
                    }
                    else
                    {
                        Extend(
                            k + 1, layer + n, placed.Cost, placed.Amortized, placed.WeightedDecode, placed.WeightedPrefill, placed.SlowestDecode,
                            placed.DecodeSum, placed.SlowestPrefill, placed.PrefillSum, placed.Overhead, exact);
                    }
                }

                _machineUsed[target] -= option.TensorParallel;
                _usedPerType[option.Type] -= option.TensorParallel;
                if (opensMachine)
                {
                    _machineCount--;
                    _openPerType[option.Type]--;
                }
            }
        }
    }

    /// <summary>Whether another partial pipeline already reached the same state (stages and layers placed, machines
    /// open with their GPUs in use, the machine of the last stage, whether a stage holds exactly N sequences) with a
    /// decode and prefill timing no worse in any respect. Both then have the same completions and costs, and every
    /// completion of this one is predicted no better (the cycle only grows with each timing), so it is cut. Otherwise
    /// its timing joins the state's list.</summary>
    private bool Dominated(int k, int layer, bool exactSeen, Label label)
    {
        int previous = _stageMachine[k - 1];
        int count = 0;
        Span<int> others = stackalloc int[_machineCount];
        for (int m = 0; m < _machineCount; m++)
        {
            if (m != previous)
            {
                others[count++] = (_machineType[m] * 4096) + _machineUsed[m];
            }
        }

        others[..count].Sort();
        var data = new int[4 + count];
        data[0] = k;
        data[1] = layer;
        data[2] = exactSeen ? 1 : 0;
        data[3] = (_machineType[previous] * 4096) + _machineUsed[previous];
        others[..count].CopyTo(data.AsSpan(4));
        var key = new StateKey(data);
        if (!_seen.TryGetValue(key, out List<Label>? labels))
        {
            _seen[key] = [label];
            return false;
        }

        foreach (Label known in labels)
        {
            if (known.NoWorseThan(label))
            {
                return true;
            }
        }

        labels.RemoveAll(label.NoWorseThan);
        labels.Add(label);
        return false;
    }

    /// <summary>The machines a stage of <paramref name="option"/> may go on, written to this depth's slots of
    /// <see cref="_choices"/>: the previous stage's (index), one open machine of the type per distinct free-GPU count,
    /// and -1 for a new machine when the pool has one left.</summary>
    /// <returns>How many.</returns>
    private int Machines(StageOption option, int previous, int depth)
    {
        MachineType type = _types[option.Type];
        int gpus = type.Instance.GpuCount;
        int at = depth * ChoiceSlots;
        int count = 0;
        if (previous >= 0 && _machineType[previous] == option.Type && gpus - _machineUsed[previous] >= option.TensorParallel)
        {
            _choices[at + count++] = previous;
        }

        ulong seen = 0;
        for (int m = 0; m < _machineCount; m++)
        {
            int free = gpus - _machineUsed[m];
            ulong bit = 1UL << Math.Min(free, 63);
            if (m != previous && _machineType[m] == option.Type && free >= option.TensorParallel && (seen & bit) == 0)
            {
                seen |= bit;
                _choices[at + count++] = m;
            }
        }

        if (_openPerType[option.Type] < type.Count)
        {
            _choices[at + count++] = -1;
        }

        return count;
    }

    /// <summary>Evaluates the complete pipeline exactly as <see cref="PerformanceModel.Evaluate"/> does.</summary>
    private void Leaf()
    {
        _leaves++;
        int p = _stages;
        Seconds decodeSum = Seconds.Zero;
        Seconds decodeSlowest = Seconds.Zero;
        Seconds prefillSum = Seconds.Zero;
        Seconds prefillSlowest = Seconds.Zero;
        Seconds overhead = Seconds.Zero;
        for (int i = 0; i < p; i++)
        {
            if (i < p - 1)
            {
                Seconds decodeTransfer = Seconds.FromSeconds(_linkDecode[i + 1]);
                Seconds prefillTransfer = Seconds.FromSeconds(_linkPrefill[i + 1]);
                decodeSum += decodeTransfer;
                prefillSum += prefillTransfer;
                decodeSlowest = Seconds.Max(decodeSlowest, decodeTransfer);
                prefillSlowest = Seconds.Max(prefillSlowest, prefillTransfer);
            }

            Seconds decode = Seconds.FromSeconds(_decode[i]);
            Seconds prefill = Seconds.FromSeconds(_prefill[i]);
            decodeSum += decode;
            prefillSum += prefill;
            decodeSlowest = Seconds.Max(decodeSlowest, decode);
            prefillSlowest = Seconds.Max(prefillSlowest, prefill);
            overhead = Seconds.Max(overhead, _types[_options[_stageOption[i]].Type].Instance.Gpu.Calibration.StepOverhead);
        }

        PipelineCycle timing = PerformanceModel.Cycle(p, _concurrency, _output, decodeSlowest, decodeSum, prefillSlowest, prefillSum, overhead);
        double requestsPerSecond = _concurrency / timing.Cycle.Value;
        int queued = (_problem.Workload.Concurrency ?? _concurrency) - _concurrency;
        Seconds ttft = timing.FirstToken + Seconds.FromSeconds(Math.Max(0, queued) / requestsPerSecond);
        TokensPerSecond total = Tokens.FromCount((double)_concurrency * (_input + _output)) / timing.Cycle;

        DollarsPerHour cost = DollarsPerHour.Zero;
        for (int m = 0; m < _machineCount; m++)
        {
            cost += _types[_machineType[m]].Instance.PriceFor(_machineUsed[m]);
        }

        if (_limits.MaxTimeToFirstToken is { } maxTtft && ttft > maxTtft)
        {
            return;
        }

        if (_limits.MaxTimePerOutputToken is { } maxTpot && timing.PerOutputToken > maxTpot)
        {
            return;
        }

        int replicas = 1;
        if (TargetTokens() is { } target)
        {
            replicas = (int)Math.Ceiling((target / total.Value) - Tolerance);
            replicas = Math.Max(1, replicas);
            if (replicas > MaxCopies())
            {
                return;
            }
        }

        DollarsPerHour allCost = cost * replicas;
        double allThroughput = total.Value * replicas;
        if (_limits.MaxCostPerHour is { } maxCost && allCost > maxCost)
        {
            return;
        }

        double perMillion = (cost / total).Value;
        if (MaxScore() is { } maxScore && perMillion * 3600.0 / 1e6 > maxScore)
        {
            return;
        }

        if (RequiredThroughput() is { } need && allThroughput < need * (1 - Tolerance))
        {
            return;
        }

        double score = _problem.Objective switch
        {
            PlacementObjective.CostPerMillionTokens => cost.Value * timing.Cycle.Value / (_concurrency * (double)(_input + _output)),
            PlacementObjective.Throughput => -allThroughput,
            PlacementObjective.CostPerHour => allCost.Value,
            _ => -((allThroughput / _problem.ThroughputNormalization) - (Lambda * allCost.Value / _problem.CostNormalization)),
        };

        if (score < _incumbent - (Math.Abs(_incumbent) * Tolerance) || double.IsPositiveInfinity(_incumbent))
        {
            _incumbent = score;
            _best = Capture(allCost.Value, allThroughput, replicas);
        }
    }

    private Snapshot Capture(double cost, double throughput, int replicas)
    {
        var stages = new MachineStage[_stages];
        int first = 0;
        for (int i = 0; i < _stages; i++)
        {
            StageOption option = _options[_stageOption[i]];
            stages[i] = new MachineStage(_types[option.Type].Instance, _machineOrdinal[_stageMachine[i]], option.TensorParallel, first, _stageLayers[i]);
            first += _stageLayers[i];
        }

        return new Snapshot(stages, _concurrency, replicas, cost, throughput);
    }
}
