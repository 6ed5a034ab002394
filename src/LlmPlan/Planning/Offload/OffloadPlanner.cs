using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Performance;
using LlmPlan.Units;

namespace LlmPlan.Planning.Offload;

/// <summary>How a provider bills a running machine.</summary>
public enum Billing
{
    /// <summary>Per second with a one-minute minimum (AWS EC2 and Google Compute Engine on-demand Linux machines).</summary>
    PerSecond,

    /// <summary>Per started hour.</summary>
    PerHour,
}

/// <summary>Which tokens a tokens/s target and the tokens-per-dollar figure count.</summary>
public enum TokenCount
{
    /// <summary>Generated tokens only.</summary>
    Output,

    /// <summary>Prompt plus generated tokens (InferSave's TPS).</summary>
    Total,
}

/// <summary>A machine the offload planner may pick: a catalog instance, or a bare GPU with a given host memory.</summary>
/// <param name="Name">The instance name (or the GPU id for a bare machine).</param>
/// <param name="Gpu">Its GPU.</param>
/// <param name="GpuCount">Its GPUs; the model is tensor-parallel over all of them.</param>
/// <param name="HostMemory">Its host memory, or null when unknown.</param>
/// <param name="Price">Its price per hour, or null when unknown.</param>
/// <param name="Hardware">The hardware the deployment is built on.</param>
public sealed record OffloadMachine(string Name, GpuSpec Gpu, int GpuCount, Bytes? HostMemory, DollarsPerHour? Price, Hardware Hardware)
{
    /// <summary>A catalog instance, billed as a whole.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>The machine.</returns>
    public static OffloadMachine FromInstance(CloudInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new OffloadMachine(instance.Name, instance.Gpu, instance.GpuCount, instance.HostMemory, instance.PricePerInstance, Hardware.ForInstance(instance));
    }

    /// <summary>A machine of one GPU with a stated host memory and, optionally, price.</summary>
    /// <param name="gpu">The GPU.</param>
    /// <param name="hostMemory">The host memory.</param>
    /// <param name="price">The price per hour, or null.</param>
    /// <param name="catalog">The catalog (for the bare-GPU hardware).</param>
    /// <returns>The machine.</returns>
    public static OffloadMachine BareGpu(GpuSpec gpu, Bytes hostMemory, DollarsPerHour? price, HardwareCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        return new OffloadMachine(gpu.Id, gpu, 1, hostMemory, price, Hardware.ForGpu(gpu, catalog, null));
    }
}

/// <summary>What to plan: a model, a batch job and the machines to choose from.</summary>
public sealed record OffloadRequest
{
    /// <summary>Gets the model.</summary>
    public required ModelArchitecture Model { get; init; }

    /// <summary>Gets the weight precision.</summary>
    public required Precision Weights { get; init; }

    /// <summary>Gets the KV-cache precision.</summary>
    public required Precision KvCache { get; init; }

    /// <summary>Gets the batch size B.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets the largest batch to try (B when only B): a larger batch may need more offload yet cost less.</summary>
    public required int MaxBatchSize { get; init; }

    /// <summary>Gets the prompt tokens per request S.</summary>
    public required int InputTokens { get; init; }

    /// <summary>Gets the generated tokens per request O.</summary>
    public required int OutputTokens { get; init; }

    /// <summary>Gets the requests of the job N, run in batches one after another.</summary>
    public required int Requests { get; init; }

    /// <summary>Gets the tokens/s the job must reach, or null for none.</summary>
    public TokensPerSecond? Slo { get; init; }

    /// <summary>Gets which tokens <see cref="Slo"/> and tokens per dollar count.</summary>
    public TokenCount Tokens { get; init; } = TokenCount.Output;

    /// <summary>Gets how machines are billed.</summary>
    public Billing Billing { get; init; } = Billing.PerSecond;

    /// <summary>Gets a value indicating whether weights may be offloaded too.</summary>
    public bool AllowWeightOffload { get; init; }

    /// <summary>Gets the model's settings.</summary>
    public OffloadSettings Settings { get; init; } = OffloadSettings.Default;

    /// <summary>Gets the machines to choose from, in the order the user gave.</summary>
    public required IReadOnlyList<OffloadMachine> Machines { get; init; }
}

/// <summary>One machine's best way to run the job, or why it cannot.</summary>
public sealed record OffloadCandidate
{
    /// <summary>Gets the machine.</summary>
    public required OffloadMachine Machine { get; init; }

    /// <summary>Gets why the machine cannot run the job; empty when it can.</summary>
    public required string Problem { get; init; }

    /// <summary>Gets the chosen batch size.</summary>
    public int BatchSize { get; init; }

    /// <summary>Gets the run of one full batch, or null when infeasible.</summary>
    public OffloadRun? Run { get; init; }

    /// <summary>Gets the time of the whole job (all batches, the last one possibly smaller).</summary>
    public Seconds JobTime { get; init; }

    /// <summary>Gets the billed time of the job.</summary>
    public Seconds BilledTime { get; init; }

    /// <summary>Gets the cost of the job, or null when the machine has no price.</summary>
    public Dollars? TotalCost { get; init; }

    /// <summary>Gets the generated tokens per second over the job.</summary>
    public TokensPerSecond OutputTokensPerSecond { get; init; }

    /// <summary>Gets the prompt plus generated tokens per second over the job.</summary>
    public TokensPerSecond TotalTokensPerSecond { get; init; }

    /// <summary>Gets the counted tokens (see <see cref="OffloadRequest.Tokens"/>) per dollar, or null without a price.</summary>
    public double? TokensPerDollar { get; init; }

    /// <summary>Gets a value indicating whether the job reaches the tokens/s target (always, without one).</summary>
    public bool MeetsSlo { get; init; }

    /// <summary>Gets a value indicating whether the machine can run the job at all.</summary>
    public bool Feasible => Problem.Length == 0;
}

/// <summary>The ranked machines and the cheapest that meets the target.</summary>
/// <param name="Request">The request.</param>
/// <param name="WeightsBytes">The model's weights at the chosen precision (all GPUs together).</param>
/// <param name="KvCacheBytes">The KV cache of a batch of B at full length (all layers, all GPUs together).</param>
/// <param name="Candidates">Every machine: those meeting the target by cost, then the others by speed, then the infeasible.</param>
/// <param name="Best">The cheapest machine that meets the target, or null.</param>
public sealed record OffloadPlan(OffloadRequest Request, Bytes WeightsBytes, Bytes KvCacheBytes, IReadOnlyList<OffloadCandidate> Candidates, OffloadCandidate? Best);

/// <summary>Picks the cheapest machine that runs a batch job at a tokens/s target, offloading KV cache (and optionally
/// weights) to host memory where the GPU is too small (docs/offload.md).</summary>
public static class OffloadPlanner
{
    /// <summary>The shortest time a per-second bill charges.</summary>
    public static readonly Seconds MinimumBilledTime = Seconds.FromSeconds(60);

    /// <summary>Plans the job on every machine and ranks them.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The plan.</returns>
    public static OffloadPlan Plan(OffloadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var candidates = request.Machines.Select(m => Candidate(request, m)).ToList();
        List<OffloadCandidate> ranked =
        [
            .. candidates.Where(c => c.Feasible && c.MeetsSlo).OrderBy(c => c.TotalCost is null ? 1 : 0).ThenBy(c => c.TotalCost?.Value ?? 0).ThenByDescending(c => Counted(request, c).Value).ThenBy(c => c.Machine.Name, StringComparer.Ordinal),
            .. candidates.Where(c => c.Feasible && !c.MeetsSlo).OrderByDescending(c => Counted(request, c).Value).ThenBy(c => c.Machine.Name, StringComparer.Ordinal),
            .. candidates.Where(c => !c.Feasible),
        ];
        OffloadCandidate? best = ranked.FirstOrDefault(c => c.Feasible && c.MeetsSlo);
        ModelArchitecture model = request.Model;
        double weights = (model.Layers * (double)model.ParametersPerLayer * request.Weights.BytesPerElement())
            + ((model.EmbeddingParameters * (model.TiedEmbeddings ? 1.0 : 2.0)) + model.OtherParameters) * MemoryModel.EmbeddingBytesPerParameter;
        Bytes kv = MemoryModel.KvBytesPerTokenPerLayer(model, request.KvCache, 1) * ((double)model.Layers * request.BatchSize * (request.InputTokens + request.OutputTokens));
        return new OffloadPlan(request, Bytes.FromBytes(weights), kv, ranked, best);
    }

    /// <summary>The counted tokens per second of a candidate.</summary>
    /// <param name="request">The request.</param>
    /// <param name="candidate">The candidate.</param>
    /// <returns>Output or total tokens/s.</returns>
    public static TokensPerSecond Counted(OffloadRequest request, OffloadCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(candidate);
        return request.Tokens == TokenCount.Output ? candidate.OutputTokensPerSecond : candidate.TotalTokensPerSecond;
    }

    /// <summary>The billed time of a run under a billing rule.</summary>
    /// <param name="time">The run time.</param>
    /// <param name="billing">The rule.</param>
    /// <returns>Whole seconds (at least a minute), or whole hours.</returns>
    public static Seconds Billed(Seconds time, Billing billing) => billing == Billing.PerHour
        ? Seconds.FromHours(Math.Max(1.0, Math.Ceiling(time.Hours)))
        : Seconds.Max(MinimumBilledTime, Seconds.FromSeconds(Math.Ceiling(time.Value)));

    private static OffloadCandidate Candidate(OffloadRequest request, OffloadMachine machine)
    {
        var (deployment, problem) = UniformLayout.Build(request.Model, machine.Hardware, machine.GpuCount, 1, request.Weights, request.KvCache);
        if (deployment is null)
        {
            return new OffloadCandidate { Machine = machine, Problem = problem };
        }

        string split = PerformanceModel.ConfigurationProblem(deployment, 0);
        if (split.Length > 0)
        {
            return new OffloadCandidate { Machine = machine, Problem = split };
        }

        int sequenceTokens = request.InputTokens + request.OutputTokens;
        if (sequenceTokens > request.Model.MaxContext)
        {
            return new OffloadCandidate { Machine = machine, Problem = Invariant.Text($"a sequence of {request.InputTokens} + {request.OutputTokens} = {sequenceTokens} tokens exceeds the context of {request.Model.Id} ({request.Model.MaxContext} tokens).") };
        }

        OffloadCandidate? chosen = null;
        string firstProblem = string.Empty;
        for (int batch = request.BatchSize; batch <= Math.Min(request.MaxBatchSize, request.Requests); batch++)
        {
            OffloadCandidate? candidate = Job(request, machine, deployment, batch, out string why);
            if (candidate is null)
            {
                if (batch == request.BatchSize)
                {
                    firstProblem = why;
                }

                // A larger batch needs at least as much memory.
                break;
            }

            if (chosen is null || Better(request, candidate, chosen))
            {
                chosen = candidate;
            }
        }

        return chosen ?? new OffloadCandidate { Machine = machine, Problem = firstProblem };
    }

    /// <summary>Whether <paramref name="a"/> beats <paramref name="b"/> for the same machine: meeting the target first,
    /// then the lower cost (or the higher speed without a price), then the higher speed.</summary>
    private static bool Better(OffloadRequest request, OffloadCandidate a, OffloadCandidate b)
    {
        if (a.MeetsSlo != b.MeetsSlo)
        {
            return a.MeetsSlo;
        }

        if (a.MeetsSlo && a.TotalCost is { } ca && b.TotalCost is { } cb && ca.Value != cb.Value)
        {
            return ca.Value < cb.Value;
        }

        return Counted(request, a).Value > Counted(request, b).Value;
    }

    /// <summary>The job in batches of <paramref name="batch"/> (the last one holds the remainder).</summary>
    private static OffloadCandidate? Job(OffloadRequest request, OffloadMachine machine, Deployment deployment, int batch, out string problem)
    {
        OffloadRun? full = BatchRun(request, machine, deployment, batch, out problem);
        if (full is null)
        {
            return null;
        }

        int fullBatches = request.Requests / batch;
        int remainder = request.Requests % batch;
        Seconds job = full.Total * fullBatches;
        if (remainder > 0)
        {
            // A smaller batch needs no more memory than a full one, so it always fits.
            job += BatchRun(request, machine, deployment, remainder, out _)!.Total;
        }

        Seconds billed = Billed(job, request.Billing);
        TokensPerSecond output = Tokens.FromCount((double)request.Requests * request.OutputTokens) / job;
        TokensPerSecond total = Tokens.FromCount((double)request.Requests * (request.InputTokens + request.OutputTokens)) / job;
        Dollars? cost = machine.Price is { } price ? price * billed : null;
        var candidate = new OffloadCandidate
        {
            Machine = machine,
            Problem = string.Empty,
            BatchSize = batch,
            Run = full,
            JobTime = job,
            BilledTime = billed,
            TotalCost = cost,
            OutputTokensPerSecond = output,
            TotalTokensPerSecond = total,
        };
        double counted = Counted(request, candidate).Value;
        return candidate with
        {
            TokensPerDollar = cost is { } c && c.Value > 0 ? counted * job.Value / c.Value : null,
            MeetsSlo = request.Slo is not { } slo || counted >= slo.Value,
        };
    }

    private static OffloadRun? BatchRun(OffloadRequest request, OffloadMachine machine, Deployment deployment, int batch, out string problem)
    {
        var workload = new BatchWorkload(batch, request.InputTokens, request.OutputTokens);
        var (placement, why) = OffloadModel.SmallestPlacement(deployment, workload, machine.HostMemory, request.Settings, request.AllowWeightOffload);
        problem = why;
        return placement is { } p ? OffloadModel.Run(deployment, workload, p, machine.HostMemory, request.Settings) : null;
    }
}
