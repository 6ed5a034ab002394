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
/// node is cut when a lower bound on its best completion is no better than the incumbent. The cost bound uses that the
/// cycle is at least K·m·X + O·overhead + N·P (X the slowest decode stage, P the slowest prefill), that the cost is at
/// least the price of the machines already open, and at least the per-GPU price of every GPU used, and that
/// cost × X ≥ Σ (GPU price × stage time) ≥ placed part + remaining layers × the cheapest layer-time of any option.
/// The same bound orders and cuts whole cells before they are searched. Cuts never remove a placement that could
/// beat the incumbent, so the result is the optimum.</para>
/// </remarks>
internal sealed class PlacementSearch
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
    private readonly bool _pareto;

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
    private readonly int[] _machineType = new int[64];
    private readonly int[] _machineUsed = new int[64];
    private readonly int[] _machineOrdinal = new int[64];
    private int _machineCount;
    private readonly int[] _openPerType;

    private double _incumbent = double.PositiveInfinity;
    private Snapshot? _best;
    private readonly List<Snapshot> _front = [];
    private long _cells;
    private long _nodes;
    private long _leaves;

    public PlacementSearch(PlacementProblem problem, bool pareto)
    {
        _problem = problem;
        _model = problem.Model;
        _pareto = pareto;
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
                if (t <= _types[type].Instance.GpuCount && PerformanceModel.ConfigurationProblem(_model, t).Length == 0)
                {
                    options.Add(new StageOption(this, type, t));
                }
            }
        }

        _options = [.. options];
    }

    /// <summary>Gets the stage options (machine type × TP degree) the pool offers.</summary>
    public int OptionCount => _options.Length;

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

    /// <summary>Finds every placement not dominated in (cost per hour, tokens per second), cheapest first.</summary>
    public IReadOnlyList<Snapshot> Frontier()
    {
        foreach (var (p, n, _) in Cells())
        {
            Search(p, n);
        }

        return [.. _front.OrderBy(s => s.Cost).ThenByDescending(s => s.Throughput)];
    }

    /// <summary>The cells in the order searched: for the optimum, by their bound (best first) so that a good incumbent
    /// cuts the rest; cells whose bound cannot beat the incumbent are skipped when reached.</summary>
    private IEnumerable<(int Stages, int Concurrency, double Bound)> Cells()
    {
        int maxStages = Math.Min(_limits.MaxStages, _layers / _minLayers);
        var cells = new List<(int, int, double)>();
        for (int p = 1; p <= maxStages; p++)
        {
            for (int n = _concurrencyCap; n >= 1; n--)
            {
                cells.Add((p, n, _pareto ? 0 : CellBound(p, n)));
            }
        }

        IEnumerable<(int P, int N, double Bound)> ordered = _pareto ? cells : cells.OrderBy(c => c.Item3).ThenBy(c => c.Item1).ThenByDescending(c => c.Item2);
        foreach (var cell in ordered)
        {
            if (!_pareto && double.IsFinite(_incumbent) && Cuts(cell.Bound))
            {
                continue;
            }

            yield return cell;
        }
    }

    private bool Cuts(double bound) => bound >= _incumbent - (Math.Abs(_incumbent) * Tolerance);

    private double CellBound(int p, int n)
    {
        SetCell(p, n);
        return Bound(_layers, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    private void SetCell(int p, int n)
    {
        _stages = p;
        _concurrency = n;
        _microBatches = Math.Min(p, n);
        _batch = (int)Math.Ceiling(n / (double)_microBatches);
        _needExact = n < _concurrencyCap;
    }

    private void Search(int p, int n)
    {
        SetCell(p, n);
        _cells++;
        _machineCount = 0;
        Array.Clear(_openPerType);
        Extend(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false);
    }

    /// <summary>Places stage k, which starts at <paramref name="layer"/>.</summary>
    private void Extend(
        int k, int layer, double cost, double amortized, double weightedDecode, double weightedPrefill,
        double slowestDecode, double decodeSum, double slowestPrefill, double prefillSum, double overhead, bool exactSeen)
    {
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
            foreach (int machine in Machines(option, previous))
            {
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
                for (int n = maxN; n >= minN; n--)
                {
                    int capacity = option.Capacity(n, flags);
                    if (capacity < _concurrency)
                    {
                        continue;
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
                    double newAmortized = amortized + option.Amortized;
                    double newWeightedDecode = weightedDecode + (option.Amortized * decode);
                    double newWeightedPrefill = weightedPrefill + (option.Amortized * prefill);
                    double newSlowestDecode = Math.Max(slowestDecode, Math.Max(decode, linkDecode));
                    double newDecodeSum = decodeSum + decode + linkDecode;
                    double newSlowestPrefill = Math.Max(slowestPrefill, Math.Max(prefill, linkPrefill));
                    double newPrefillSum = prefillSum + prefill + linkPrefill;
                    int after = remaining - n;
                    double bound = Bound(
                        after, newCost, newAmortized, newWeightedDecode, newWeightedPrefill, newSlowestDecode, newDecodeSum, newSlowestPrefill,
                        newPrefillSum, stageOverhead);
                    if (Prunes(bound, newCost, newSlowestDecode, newDecodeSum, newSlowestPrefill, newPrefillSum, stageOverhead, after))
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
                            k + 1, layer + n, newCost, newAmortized, newWeightedDecode, newWeightedPrefill, newSlowestDecode, newDecodeSum,
                            newSlowestPrefill, newPrefillSum, stageOverhead, exact);
                    }
                }

                _machineUsed[target] -= option.TensorParallel;
                if (opensMachine)
                {
                    _machineCount--;
                    _openPerType[option.Type]--;
                }
            }
        }
    }

    /// <summary>The machines a stage of <paramref name="option"/> may go on: the previous stage's (index), one open
    /// machine of the type per distinct free-GPU count, and -1 for a new machine when the pool has one left.</summary>
    private IEnumerable<int> Machines(StageOption option, int previous)
    {
        MachineType type = _types[option.Type];
        int gpus = type.Instance.GpuCount;
        if (previous >= 0 && _machineType[previous] == option.Type && gpus - _machineUsed[previous] >= option.TensorParallel)
        {
            yield return previous;
        }

        ulong seen = 0;
        for (int m = 0; m < _machineCount; m++)
        {
            int free = gpus - _machineUsed[m];
            if (m != previous && _machineType[m] == option.Type && free >= option.TensorParallel && (seen & (1UL << Math.Min(free, 63))) == 0)
            {
                seen |= 1UL << Math.Min(free, 63);
                yield return m;
            }
        }

        if (_openPerType[option.Type] < type.Count)
        {
            yield return -1;
        }
    }

    /// <summary>A lower bound on the score of any completion (remarks), for the $/Mtok objective; for the throughput
    /// objectives, the negated upper bound.</summary>
    private double Bound(
        int remaining, double cost, double amortized, double weightedDecode, double weightedPrefill, double slowestDecode, double decodeSum,
        double slowestPrefill, double prefillSum, double overhead)
    {
        double cycle = CycleBound(remaining, slowestDecode, decodeSum, slowestPrefill, prefillSum, overhead);
        double tokens = _concurrency * (double)(_input + _output);
        switch (_problem.Objective)
        {
            case PlacementObjective.CostPerMillionTokens:
                {
                    double costTimesDecode = Math.Max(cost * slowestDecode, weightedDecode + (remaining * MinimumWeightedDecode()));
                    double costTimesPrefill = Math.Max(cost * slowestPrefill, weightedPrefill + (remaining * MinimumWeightedPrefill()));
                    double repeats = (_output - 1) + (_concurrency > 1 ? 1 : 0);
                    double byParts = (repeats * _microBatches * costTimesDecode) + (_output * cost * overhead) + (_concurrency * costTimesPrefill);
                    return Math.Max(byParts, cost * cycle) / tokens;
                }

            case PlacementObjective.Throughput:
                return -ThroughputBound(tokens / cycle);
            case PlacementObjective.CostPerHour:
                return TargetTokens() is { } target ? cost * Math.Max(1, Math.Ceiling((target / (tokens / cycle)) - Tolerance)) : cost;
            default:
                return -((ThroughputBound(tokens / cycle) / _problem.ThroughputNormalization) - (Lambda * cost / _problem.CostNormalization));
        }
    }

    private double Lambda => _problem.CostWeight / (1 - _problem.CostWeight);

    /// <summary>With a target rate, copies raise the throughput to below target + one copy's.</summary>
    private double ThroughputBound(double single) => TargetTokens() is { } target ? target + single : single;

    private double? TargetTokens() =>
        _limits.TargetTokensPerSecond?.Value ?? (_limits.TargetRequestsPerSecond is { } rps ? rps * (_input + _output) : null);

    private double CycleBound(int remaining, double slowestDecode, double decodeSum, double slowestPrefill, double prefillSum, double overhead)
    {
        double decode = Math.Max(_microBatches * slowestDecode, decodeSum + (remaining * MinimumDecodeLayer())) + overhead;
        double share = _concurrency > 1 ? decode : overhead;
        double prefill = Math.Max(_concurrency * slowestPrefill, prefillSum + (remaining * MinimumPrefillLayer()));
        return (decode * (_output - 1)) + share + prefill;
    }

    private bool Prunes(double bound, double cost, double slowestDecode, double decodeSum, double slowestPrefill, double prefillSum, double overhead, int remaining)
    {
        double cycle = CycleBound(remaining, slowestDecode, decodeSum, slowestPrefill, prefillSum, overhead);
        double decode = Math.Max(_microBatches * slowestDecode, decodeSum + (remaining * MinimumDecodeLayer())) + overhead;
        double share = _concurrency > 1 ? decode : overhead;
        if (_limits.MaxTimePerOutputToken is { } tpot && decode > tpot.Value * (1 + Tolerance))
        {
            return true;
        }

        if (_limits.MaxTimeToFirstToken is { } ttft && prefillSum + (remaining * MinimumPrefillLayer()) + share > ttft.Value * (1 + Tolerance))
        {
            return true;
        }

        double tokens = _concurrency * (double)(_input + _output);
        double throughput = tokens / cycle;
        int copies = MaxCopies();
        if (RequiredThroughput() is { } need && throughput * copies < need * (1 - Tolerance))
        {
            return true;
        }

        if (MaxScore() is { } limit && CostScoreBound(bound, cost, cycle, tokens) > limit * (1 + Tolerance))
        {
            return true;
        }

        if (_pareto)
        {
            foreach (Snapshot point in _front)
            {
                if (point.Cost <= cost && point.Throughput >= throughput)
                {
                    return true;
                }
            }

            return false;
        }

        return double.IsFinite(_incumbent) && Cuts(bound);
    }

    /// <summary>The $/Mtok score bound whatever the objective (for the $/Mtok and total-cost limits).</summary>
    private double CostScoreBound(double bound, double cost, double cycle, double tokens) =>
        _problem.Objective == PlacementObjective.CostPerMillionTokens ? bound : cost * cycle / tokens;

    /// <summary>The most $/Mtok allowed, as a score ($/h × s per token), or null.</summary>
    private double? MaxScore()
    {
        double? limit = _limits.MaxCostPerMillionTokens?.Value;
        if (_limits.MaxTotalCost is { } total && _limits.TokenVolume is { } volume)
        {
            double fromTotal = total.Value / volume.Value * 1e6;
            limit = limit is null ? fromTotal : Math.Min(limit.Value, fromTotal);
        }

        return limit is null ? null : limit.Value * 3600.0 / 1e6;
    }

    /// <summary>The tokens/s the plan must reach (target rate, or the job volume over the longest runtime), or null.</summary>
    private double? RequiredThroughput()
    {
        double? need = TargetTokens();
        if (_limits.MaxRuntime is { } runtime && _limits.TokenVolume is { } volume)
        {
            double fromRuntime = volume.Value / runtime.Value;
            need = need is null ? fromRuntime : Math.Max(need.Value, fromRuntime);
        }

        return need;
    }

    /// <summary>The most copies the open machines allow (1 without a target rate).</summary>
    private int MaxCopies()
    {
        if (TargetTokens() is null)
        {
            return 1;
        }

        int copies = _limits.MaxReplicas ?? int.MaxValue;
        for (int type = 0; type < _types.Length; type++)
        {
            if (_openPerType[type] > 0)
            {
                copies = Math.Min(copies, _types[type].Count / _openPerType[type]);
            }
        }

        return Math.Max(1, copies);
    }

    private double MinimumDecodeLayer() => _minimumDecodeLayer.TryGetValue(_batch, out double value) ? value : _minimumDecodeLayer[_batch] = _options.Length == 0 ? 0 : _options.Min(o => o.DecodeLayer(_batch));

    private double MinimumWeightedDecode() => _minimumWeightedDecode.TryGetValue(_batch, out double value) ? value : _minimumWeightedDecode[_batch] = _options.Length == 0 ? 0 : _options.Min(o => o.Amortized * o.DecodeLayer(_batch));

    private double MinimumPrefillLayer() => _options.Length == 0 ? 0 : _minimumPrefillLayer ??= _options.Min(o => o.PrefillLayer);

    private double MinimumWeightedPrefill() => _options.Length == 0 ? 0 : _minimumWeightedPrefill ??= _options.Min(o => o.Amortized * o.PrefillLayer);

    private readonly Dictionary<int, double> _minimumDecodeLayer = [];
    private readonly Dictionary<int, double> _minimumWeightedDecode = [];
    private double? _minimumPrefillLayer;
    private double? _minimumWeightedPrefill;

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

        if (_pareto)
        {
            AddToFront(allCost.Value, allThroughput);
            return;
        }

        if (score < _incumbent - (Math.Abs(_incumbent) * Tolerance) || double.IsPositiveInfinity(_incumbent))
        {
            _incumbent = score;
            _best = Capture(allCost.Value, allThroughput, replicas);
        }
    }

    private void AddToFront(double cost, double throughput)
    {
        foreach (Snapshot point in _front)
        {
            if (point.Cost <= cost && point.Throughput >= throughput)
            {
                return;
            }
        }

        _front.RemoveAll(point => point.Cost >= cost && point.Throughput <= throughput);
        _front.Add(Capture(cost, throughput, 1));
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
            Overhead = entry.Instance.Gpu.Calibration.StepOverhead.Value;
            PerGpu = entry.Instance.BilledPerGpu;
            PricePerGpu = entry.Instance.PricePerGpu.Value;
            PricePerInstance = entry.Instance.PricePerInstance.Value;
        }

        public CloudInstance Instance { get; }

        public int Count { get; }

        public BytesPerSecond Intra { get; }

        public double Overhead { get; }

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
