using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Planning.Placement;

/// <summary>The evaluation of a complete pipeline and the snapshot of a new incumbent.</summary>
internal sealed partial class PlacementSearch
{
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
            overhead = Seconds.Max(overhead, _types[_options[_stageOption[i]].Type].Instance.Gpu.Calibration.Overhead(_concurrency));
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
