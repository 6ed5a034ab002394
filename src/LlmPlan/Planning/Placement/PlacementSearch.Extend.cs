using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Planning.Placement;

/// <summary>The depth-first extension of a pipeline stage by stage within one (stages, concurrency) cell: the choice
/// of stage option, layers and machine, the bounds that cut a partial pipeline, and the labels that drop dominated ones.</summary>
internal sealed partial class PlacementSearch
{
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
            double stageOverhead = Math.Max(overhead, _typeOverhead[option.Type]);

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
}
