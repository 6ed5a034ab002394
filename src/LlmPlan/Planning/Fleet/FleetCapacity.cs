using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Planning.Fleet;

/// <summary>What the performance model says one unit of a candidate sustains.</summary>
/// <param name="Candidate">The candidate.</param>
/// <param name="Replicas">Model replicas in one unit.</param>
/// <param name="CostPerHour">The unit's price.</param>
/// <param name="Capacity">Requests/s one unit sustains per bucket within the SLOs (0 where it cannot).</param>
/// <param name="Concurrency">The sequences per replica at which that rate is reached (0 where it cannot).</param>
/// <param name="Problem">Why the unit cannot serve at all (e.g. the model does not fit), or empty.</param>
public sealed record CandidateProfile(FleetCandidate Candidate, int Replicas, DollarsPerHour CostPerHour, IReadOnlyList<RequestsPerSecond> Capacity, IReadOnlyList<int> Concurrency, string Problem);

/// <summary>Turns a <see cref="FleetSpec"/> into a <see cref="FleetProblem"/>: the capacity of a unit for a bucket is the
/// highest request rate the performance model predicts at any concurrency whose TTFT and TPOT meet the SLOs, for
/// requests at the bucket's upper edges (the longest it holds, so the plan is safe for every request in it).</summary>
public static class FleetCapacity
{
    /// <summary>Profiles every candidate and builds the problem.</summary>
    /// <param name="spec">The spec.</param>
    /// <param name="engine">Engine settings, or null for the defaults.</param>
    /// <returns>The problem and the profiles behind it.</returns>
    public static (FleetProblem Problem, IReadOnlyList<CandidateProfile> Profiles) Build(FleetSpec spec, EngineSettings? engine = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        engine ??= EngineSettings.Default;
        var buckets = new List<FleetBucket>();
        for (int i = 0; i < spec.InputEdges.Count; i++)
        {
            for (int j = 0; j < spec.OutputEdges.Count; j++)
            {
                buckets.Add(new FleetBucket
                {
                    Label = Invariant.Text($"in {(i == 0 ? 1 : spec.InputEdges[i - 1] + 1)}-{spec.InputEdges[i]} / out {(j == 0 ? 1 : spec.OutputEdges[j - 1] + 1)}-{spec.OutputEdges[j]}"),
                    Row = i,
                    Column = j,
                    Rate = spec.Rate * spec.Distribution[i][j],
                });
            }
        }

        var profiles = spec.Candidates.Select(c => Profile(spec, c, buckets, engine)).ToList();
        var problem = new FleetProblem
        {
            Buckets = buckets,
            SliceFactor = spec.SliceFactor,
            Utilization = spec.Utilization,
            Options = [.. profiles.Select(p => new FleetOption
            {
                Name = p.Candidate.Name,
                CostPerHour = p.CostPerHour,
                Capacity = p.Capacity,
                MinCount = p.Candidate.MinCount,
                MaxCount = p.Candidate.MaxCount,
            })],
        };
        return (problem, profiles);
    }

    private static CandidateProfile Profile(FleetSpec spec, FleetCandidate candidate, IReadOnlyList<FleetBucket> buckets, EngineSettings engine)
    {
        var (deployment, problem) = UniformLayout.Build(spec.Model, candidate.Hardware, candidate.TensorParallel, 1, spec.Weights, spec.KvCache);
        var instance = candidate.Hardware.Instance;
        int replicas = instance is null || instance.BilledPerGpu ? 1 : Math.Max(1, instance.GpuCount / candidate.TensorParallel);
        DollarsPerHour cost = candidate.CostPerHour
            ?? (instance is null || instance.BilledPerGpu ? deployment?.CostPerHour ?? DollarsPerHour.Zero : instance.PricePerInstance);
        var capacity = new RequestsPerSecond[buckets.Count];
        var concurrency = new int[buckets.Count];
        if (deployment is null)
        {
            return new CandidateProfile(candidate, replicas, cost, capacity, concurrency, problem);
        }

        string firstProblem = string.Empty;
        for (int b = 0; b < buckets.Count; b++)
        {
            int input = spec.InputEdges[buckets[b].Row];
            int output = spec.OutputEdges[buckets[b].Column];
            Evaluation atMax = PerformanceModel.Evaluate(deployment, new Workload(input, output, null), engine);
            if (!atMax.Feasible)
            {
                firstProblem = firstProblem.Length > 0 ? firstProblem : atMax.Reason;
                continue;
            }

            // Scan every concurrency the engine can run; the rate is not always monotone once prefill dominates.
            for (int n = 1; n <= atMax.MaxConcurrency; n++)
            {
                Evaluation e = PerformanceModel.Evaluate(deployment, new Workload(input, output, n), engine);
                if (e.Feasible && MeetsSlo(spec, e) && e.RequestsPerSecond * replicas > capacity[b].Value)
                {
                    capacity[b] = RequestsPerSecond.FromRequestsPerSecond(e.RequestsPerSecond * replicas);
                    concurrency[b] = n;
                }
            }
        }

        string unusable = capacity.All(c => c.Value <= 0)
            ? (firstProblem.Length > 0 ? firstProblem : "no bucket meets the SLOs at any concurrency")
            : string.Empty;
        return new CandidateProfile(candidate, replicas, cost, capacity, concurrency, unusable);
    }

    private static bool MeetsSlo(FleetSpec spec, Evaluation e) =>
        (spec.TimeToFirstToken is not Seconds ttft || e.TimeToFirstToken <= ttft)
        && (spec.TimePerOutputToken is not Seconds tpot || e.TimePerOutputToken <= tpot);
}
