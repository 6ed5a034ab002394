using System.Globalization;
using LlmPlan.Catalog;
using LlmPlan.IO;
using LlmPlan.Performance;

namespace LlmPlan.Cli.Rendering;

/// <summary>The human view of one evaluation: a summary and the memory of each stage's GPUs.</summary>
internal static class EvaluationTable
{
    public static void Write(TextWriter output, EvaluatedDeployment e)
    {
        Deployment d = e.Deployment;
        Evaluation r = e.Result;
        string on = e.InstanceLabel.Length > 0 ? $"{e.InstanceLabel} ({e.GpuLabel})" : e.GpuLabel;
        string concurrency = e.Workload.Concurrency is int n ? N(n) : "max";
        output.WriteLine($"{d.Model.Id} on {on}, TP {e.TensorParallelLabel} x PP {N(d.PipelineParallel)} = {N(d.GpuCount)} GPU{(d.GpuCount == 1 ? string.Empty : "s")}, weights {d.Weights.Name()}, KV cache {d.KvCache.Name()}");
        output.WriteLine($"workload: {N(e.Workload.InputTokens)} input + {N(e.Workload.OutputTokens)} output tokens per request, concurrency {concurrency}");
        Tables.Write(
            output,
            "Memory per GPU (GiB)",
            ["stage", "layers", "on", "TP", "capacity", "usable", "weights", "activ.", "KV pool", "KV used", "free", "seqs"],
            r.Stages.Select((s, i) => (IReadOnlyList<string>)
            [
                N(i + 1), $"{N(s.Stage.FirstLayer + 1)}-{N(s.Stage.LastLayer + 1)}", s.Stage.Instance.Length > 0 ? $"{s.Stage.Instance} {s.Stage.Gpu.Id}" : s.Stage.Gpu.Id, N(s.Stage.TensorParallel),
                F(s.Memory.Capacity.Gibibytes, 2), F(s.Memory.Usable.Gibibytes, 2), F(s.Memory.Weights.Gibibytes, 2), F(s.Memory.Activations.Gibibytes, 2),
                F(s.Memory.KvCachePool.Gibibytes, 2), F(s.Memory.KvCacheUsed.Gibibytes, 2), F(s.Memory.Free.Gibibytes, 2), N(s.MaxSequences),
            ]),
            new HashSet<int> { 0, 3, 4, 5, 6, 7, 8, 9, 10, 11 });
        if (!r.Feasible)
        {
            output.WriteLine($"infeasible: {r.Reason}");
            output.WriteLine($"cost: {F(r.CostPerHour.Value, 2)} $/h ({e.PriceSource})");
            return;
        }

        List<IReadOnlyList<string>> rows =
        [
            ["concurrency (sequences in flight)", $"{N(r.Concurrency)} (max {N(r.MaxConcurrency)})"],
            ["TTFT", $"{F(r.TimeToFirstToken.Milliseconds, 1)} ms"],
            ["TPOT", $"{F(r.TimePerOutputToken.Milliseconds, 2)} ms"],
        ];
        if (e.ClosedLoop is { } loop)
        {
            rows.Add(["TTFT, closed-loop benchmark (simulated)", $"{F(loop.TimeToFirstToken.Milliseconds, 1)} ms"]);
            rows.Add(["TPOT, closed-loop benchmark (simulated)", $"{F(loop.TimePerOutputToken.Milliseconds, 2)} ms"]);
            rows.Add(["closed-loop benchmark requests", $"{N(loop.WarmUpRequests)} warm-up + {N(loop.Requests)} measured"]);
        }

        rows.AddRange(
        [
            ["decode step (no prefill in it)", $"{F(r.DecodeStepTime.Milliseconds, 2)} ms"],
            ["output tokens/s", F(r.OutputTokensPerSecond.Value, 1)],
            ["total tokens/s (input + output)", F(r.TotalTokensPerSecond.Value, 1)],
            ["requests/s", F(r.RequestsPerSecond, 3)],
            ["cost", $"{F(r.CostPerHour.Value, 2)} $/h ({e.PriceSource})"],
            ["$ per million tokens (input + output)", F(r.DollarsPerMillionTokens.Value, 4)],
            ["$ per million output tokens", F(r.DollarsPerMillionOutputTokens.Value, 4)],
        ]);
        Tables.Write(output, "Prediction", ["metric", "value"], rows, new HashSet<int> { 1 });
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString("F" + N(decimals), CultureInfo.InvariantCulture);
}
