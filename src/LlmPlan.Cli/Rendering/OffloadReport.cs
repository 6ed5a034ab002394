using LlmPlan.Catalog;
using LlmPlan.Planning.Offload;
using LlmPlan.Units;

namespace LlmPlan.Cli.Rendering;

/// <summary>The human report of an offload plan: the job, the pick, and every machine ranked.</summary>
internal static class OffloadReport
{
    public static void Write(TextWriter output, OffloadPlan plan)
    {
        OffloadRequest r = plan.Request;
        string counted = r.Tokens == TokenCount.Output ? "output" : "total";
        output.WriteLine(Invariant.Text($"{r.Model.Id}, {r.Weights.Name()} weights, {r.KvCache.Name()} KV cache: {r.Requests} requests of {r.InputTokens} + {r.OutputTokens} tokens in batches of {(r.MaxBatchSize > r.BatchSize ? Invariant.Text($"{r.BatchSize}-{r.MaxBatchSize}") : Invariant.Text($"{r.BatchSize}"))}"));
        output.WriteLine(Invariant.Text($"weights {plan.WeightsBytes.Value / 1e9:0.00} GB; KV cache of a batch of {r.BatchSize} at full length {plan.KvCacheBytes.Value / 1e9:0.00} GB"));
        output.WriteLine(Invariant.Text($"tokens/s count {(r.Tokens == TokenCount.Output ? "generated tokens only (--tokens total adds prompts)" : "prompt + generated tokens")}; target: {(r.Slo is { } slo ? Invariant.Text($"≥ {slo.Value:0.##} {counted} tokens/s") : "none")}; billing {(r.Billing == Billing.PerHour ? "per started hour" : "per second, one-minute minimum")}; safety factor {r.Settings.SafetyFactor:0.##}{(r.Settings.Overlap ? string.Empty : "; transfers not overlapped")}"));
        if (plan.Best is { } best)
        {
            output.WriteLine(Invariant.Text($"best: {best.Machine.Name} ({best.Machine.Gpu.Id}), batch {best.BatchSize}, KV offload {best.Run!.KvOffloadFraction * 100:0.#} %{(best.Run.Placement.WeightLayers > 0 ? Invariant.Text($", weight offload {best.Run.WeightOffloadFraction * 100:0.#} %") : string.Empty)}: {best.OutputTokensPerSecond.Value:0.#} output tokens/s ({best.TotalTokensPerSecond.Value:0.#} with prompts), job {Duration(best.JobTime)}{(best.TotalCost is { } cost ? Invariant.Text($", ${cost.Value:0.####}") : string.Empty)}"));
        }
        else
        {
            output.WriteLine(Reason(plan));
        }

        Tables.Write(
            output,
            "Machines, best first",
            ["#", "instance", "GPU", "$/h", "batch", "KV offload", "W offload", "prefill (s)", "decode (s)", "out tok/s", "total tok/s", "job", "billed", "cost ($)", counted + " tok/$", "target", "problem"],
            plan.Candidates.Select((c, i) => (IReadOnlyList<string>)
            [
                Invariant.Text($"{i + 1}"),
                c.Machine.Name,
                c.Machine.GpuCount > 1 ? Invariant.Text($"{c.Machine.GpuCount}x {c.Machine.Gpu.Id}") : c.Machine.Gpu.Id,
                c.Machine.Price is { } p ? Invariant.Fixed(p.Value, 3) : "-",
                c.Feasible ? Invariant.Text($"{c.BatchSize}") : "-",
                c.Run is { } run ? Invariant.Text($"{run.KvOffloadFraction * 100:0.#} %") : "-",
                c.Run is { } w ? Invariant.Text($"{w.WeightOffloadFraction * 100:0.#} %") : "-",
                c.Run is { } a ? Invariant.Fixed(a.Prefill.Value, 3) : "-",
                c.Run is { } d ? Invariant.Fixed(d.Decode.Value, 3) : "-",
                c.Feasible ? Invariant.Fixed(c.OutputTokensPerSecond.Value, 1) : "-",
                c.Feasible ? Invariant.Fixed(c.TotalTokensPerSecond.Value, 1) : "-",
                c.Feasible ? Duration(c.JobTime) : "-",
                c.Feasible && c.Machine.Price is not null ? Duration(c.BilledTime) : "-",
                c.TotalCost is { } t ? Invariant.Fixed(t.Value, 4) : "-",
                c.TokensPerDollar is double tpd ? Invariant.Fixed(tpd, 0) : "-",
                !c.Feasible ? "-" : r.Slo is null ? "n/a" : c.MeetsSlo ? "met" : "missed",
                c.Problem,
            ]),
            new HashSet<int> { 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 });
    }

    /// <summary>Why no machine is picked: none can run the job, or none reaches the target (and by how much).</summary>
    private static string Reason(OffloadPlan plan)
    {
        OffloadRequest r = plan.Request;
        OffloadCandidate? fastest = plan.Candidates.Where(c => c.Feasible).MaxBy(c => OffloadPlanner.Counted(r, c).Value);
        if (fastest is null)
        {
            return "infeasible: no machine can run the job:" + string.Concat(plan.Candidates.Select(c => $"\n  {c.Machine.Name}: {c.Problem}"));
        }

        double reached = OffloadPlanner.Counted(r, fastest).Value;
        return Invariant.Text($"infeasible: no machine reaches {r.Slo!.Value.Value:0.##} {(r.Tokens == TokenCount.Output ? "output" : "total")} tokens/s; the fastest, {fastest.Machine.Name}, reaches {reached:0.#} ({(r.Slo.Value.Value - reached) / r.Slo.Value.Value * 100:0.#} % short). Lower the target, or try --max-batch-size or other instances.");
    }

    /// <summary>A duration as seconds, minutes or hours.</summary>
    private static string Duration(Seconds time) =>
        time.Value < 120 ? Invariant.Text($"{time.Value:0.0} s")
        : time.Value < 7200 ? Invariant.Text($"{time.Value / 60:0.0} min")
        : Invariant.Text($"{time.Hours:0.00} h");
}
