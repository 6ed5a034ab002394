namespace LlmPlan.Planning.Placement;

/// <summary>The lower bounds and limits of the search (class remarks of <see cref="PlacementSearch"/>).</summary>
internal sealed partial class PlacementSearch
{
    /// <summary>Lower bounds on what the remaining r layers add when every per-layer time is the least of any option.</summary>
    private Rest Weak(int remaining) => new(
        remaining * _minimumDecodeLayer, 0, remaining * _minimumPrefillLayer, 0, remaining * _minimumWeightedDecode, remaining * _minimumWeightedPrefill, 0);

    /// <summary>Stronger lower bounds for r layers in q stages (class remarks), or null when no option holds ⌈r/q⌉ layers
    /// with N sequences or the unused GPUs cannot hold r layers.</summary>
    private Rest? Strong(int remaining, int stages)
    {
        if (remaining == 0 || stages == 0)
        {
            return remaining == 0 ? new Rest(0, 0, 0, 0, 0, 0, 0) : null;
        }

        int big = (remaining + stages - 1) / stages;
        if (big > _layers || double.IsPositiveInfinity(_bigDecode[big]))
        {
            return null;
        }

        int rest = remaining - big;
        double slowestDecode = big * _bigDecode[big];
        double slowestPrefill = big * _bigPrefill[big];
        double decodeSum = Fill(remaining, KeyDecode);
        if (double.IsPositiveInfinity(decodeSum))
        {
            return null;
        }

        return new Rest(
            Math.Max(slowestDecode + (rest * _minimumDecodeLayer), decodeSum), slowestDecode,
            Math.Max(slowestPrefill + (rest * _minimumPrefillLayer), Fill(remaining, KeyPrefill)), slowestPrefill,
            Math.Max((big * _bigWeightedDecode[big]) + (rest * _minimumWeightedDecode), Fill(remaining, KeyWeightedDecode)),
            Math.Max((big * _bigWeightedPrefill[big]) + (rest * _minimumWeightedPrefill), Fill(remaining, KeyWeightedPrefill)),
            Math.Max(remaining * _memoryCostPerLayer, Fill(remaining, KeyMemory)));
    }

    /// <summary>The layers the unused GPUs of every machine type with a stage option can hold (weights and the KV cache
    /// of N sequences).</summary>
    private double Room()
    {
        double room = 0;
        for (int type = 0; type < _types.Length; type++)
        {
            if (!double.IsPositiveInfinity(_typeBounds[KeyDecode, type]))
            {
                room += RoomOf(type);
            }
        }

        return room;
    }

    /// <summary>The layers the unused GPUs of one machine type can hold.</summary>
    private double RoomOf(int type) =>
        ((_types[type].Count * (double)_types[type].Instance.GpuCount) - _usedPerType[type]) * _layersPerGpu[type];

    /// <summary>The least total of a per-layer key over <paramref name="layers"/> layers when each machine type hosts
    /// at most what its unused GPUs hold (weights and the KV cache of N sequences): the cheapest types first, as in a
    /// fractional knapsack. +∞ when the unused GPUs cannot hold the layers at all.</summary>
    private double Fill(int layers, int key)
    {
        double left = layers;
        double total = 0;
        for (int i = 0; i < _types.Length && left > 0; i++)
        {
            int type = _typeOrder[key, i];
            double value = _typeBounds[key, type];
            if (double.IsPositiveInfinity(value))
            {
                break;
            }

            double take = Math.Min(left, RoomOf(type));
            total += take * value;
            left -= take;
        }

        return left > 1e-9 ? double.PositiveInfinity : total;
    }

    /// <summary>Whether a partial pipeline can be cut: some limit cannot be met, or (for the optimum) no completion can
    /// beat the incumbent, or (for the frontier) a found point dominates every completion.</summary>
    private bool Prunes(in Partial placed, in Rest rest)
    {
        double cost = Math.Max(placed.Cost, placed.Amortized + rest.Amortized);
        double decodeSum = placed.DecodeSum + rest.DecodeSum;
        double slowestDecode = Math.Max(placed.SlowestDecode, rest.SlowestDecode);
        double slowestPrefill = Math.Max(placed.SlowestPrefill, rest.SlowestPrefill);
        double prefillSum = placed.PrefillSum + rest.PrefillSum;
        double decode = Math.Max(_microBatches * slowestDecode, decodeSum) + placed.Overhead;
        double share = _concurrency > 1 ? decode : placed.Overhead;
        double cycle = (decode * (_output - 1)) + share + Math.Max(_concurrency * slowestPrefill, prefillSum);
        if (_limits.MaxTimePerOutputToken is { } tpot && decode > tpot.Value * (1 + Tolerance))
        {
            return true;
        }

        if (_limits.MaxTimeToFirstToken is { } ttft && prefillSum + share > ttft.Value * (1 + Tolerance))
        {
            return true;
        }

        // cycle ≥ K·m·X + O·overhead + N·P (K = O − 1, plus 1 when N > 1), and cost × X ≥ Σ (GPU price × stage time),
        // cost × P likewise: so cost × (cycle − O·overhead) ≥ the price-weighted times. A cost cap bounds the cycle from
        // below; a throughput floor bounds the cycle from above and so the cost from below.
        double repeats = (_output - 1) + (_concurrency > 1 ? 1 : 0);
        double weightedDecode = placed.WeightedDecode + rest.WeightedDecode;
        double weightedPrefill = placed.WeightedPrefill + rest.WeightedPrefill;
        double weighted = (repeats * _microBatches * weightedDecode) + (_concurrency * weightedPrefill);
        double fixedPart = _output * placed.Overhead;
        if (_limits.MaxCostPerHour is { } cap)
        {
            cycle = Math.Max(cycle, (weighted / cap.Value) + fixedPart);
        }

        double tokens = _concurrency * (double)(_input + _output);
        double throughput = tokens / cycle;
        if (RequiredThroughput() is { } need)
        {
            int copies = MaxCopies();
            if (throughput * copies < need * (1 - Tolerance))
            {
                return true;
            }

            double longest = (tokens * copies / need) - fixedPart;
            if (longest > 0)
            {
                cost = Math.Max(cost, weighted / longest);
            }
        }

        if (_limits.MaxCostPerHour is { } maxCost && cost > maxCost.Value * (1 + Tolerance))
        {
            return true;
        }

        double costTimesDecode = Math.Max(cost * slowestDecode, weightedDecode);
        double costTimesPrefill = Math.Max(cost * slowestPrefill, weightedPrefill);
        double byParts = (repeats * _microBatches * costTimesDecode) + (_output * cost * placed.Overhead) + (_concurrency * costTimesPrefill);
        double perToken = Math.Max(byParts, cost * cycle) / tokens;
        if (MaxScore() is { } limit && perToken > limit * (1 + Tolerance))
        {
            return true;
        }

        double bound = _problem.Objective switch
        {
            PlacementObjective.CostPerMillionTokens => perToken,
            PlacementObjective.Throughput => -ThroughputBound(throughput),
            PlacementObjective.CostPerHour => TargetTokens() is { } target ? cost * Math.Max(1, Math.Ceiling((target / throughput) - Tolerance)) : cost,
            _ => -((ThroughputBound(throughput) / _problem.ThroughputNormalization) - (Lambda * cost / _problem.CostNormalization)),
        };
        _lastBound = bound;
        return double.IsFinite(_incumbent) && Cuts(bound);
    }

    private double Lambda => _problem.CostWeight / (1 - _problem.CostWeight);

    /// <summary>With a target rate, copies raise the throughput to below target + one copy's.</summary>
    private double ThroughputBound(double single) => TargetTokens() is { } target ? target + single : single;

    private double? TargetTokens() =>
        _limits.TargetTokensPerSecond?.Value ?? (_limits.TargetRequestsPerSecond is { } rps ? rps * (_input + _output) : null);

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
        if (_limits.MinTokensPerSecond is { } floor)
        {
            need = need is null ? floor.Value : Math.Max(need.Value, floor.Value);
        }

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

    // The least per-layer times of any option (and times its per-GPU price): what the remaining layers take at least.
    private double _minimumDecodeLayer;
    private double _minimumWeightedDecode;
    private double _minimumPrefillLayer;
    private double _minimumWeightedPrefill;

    // The least a layer's GPU memory costs ($/h): its weights and the KV cache of N sequences, at the pool's cheapest
    // usable memory per dollar. Every GPU used holds its share, so a placement's per-GPU cost covers at least this per layer.
    private double _memoryCostPerLayer;
    private int _mostLayers;
    private readonly double[] _bigDecode;
    private readonly double[] _bigPrefill;
    private readonly double[] _bigWeightedDecode;
    private readonly double[] _bigWeightedPrefill;
}
