using System.Globalization;
using System.Text.Json;
using LlmPlan.Catalog;
using LlmPlan.Performance;
using LlmPlan.Planning.Offload;
using LlmPlan.Units;

namespace LlmPlan.IO.Offload;

/// <summary>Writes offload plans as JSON (request, sizes, every candidate, the best) or CSV (a row per candidate).</summary>
public static class OffloadPlanWriter
{
    /// <summary>The CSV columns, one row per candidate in rank order.</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
    [
        "rank", "instance", "gpu", "gpus", "host_memory_gib", "cost_per_hour", "feasible", "meets_slo", "batch_size",
        "offload_fraction", "kv_offload_layers", "weight_offload_fraction", "weight_offload_layers", "gpu_memory_used_gib",
        "host_memory_used_gib", "prefill_seconds", "decode_seconds", "batch_seconds", "output_tokens_per_s",
        "total_tokens_per_s", "job_seconds", "billed_seconds", "total_cost", "tokens_per_dollar", "reason",
    ];

    /// <summary>The JSON report.</summary>
    /// <param name="plan">The plan.</param>
    /// <returns>The JSON text.</returns>
    public static string Json(OffloadPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        OffloadRequest r = plan.Request;
        return JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("model", r.Model.Id);
            w.WriteString("precision", r.Weights.Name());
            w.WriteString("kv_precision", r.KvCache.Name());
            w.WriteNumber("batch_size", r.BatchSize);
            w.WriteNumber("max_batch_size", r.MaxBatchSize);
            w.WriteNumber("input_tokens", r.InputTokens);
            w.WriteNumber("output_tokens", r.OutputTokens);
            w.WriteNumber("requests", r.Requests);
            w.WriteString("tokens_counted", r.Tokens == TokenCount.Output ? "output" : "total");
            if (r.Slo is { } slo)
            {
                w.Number("slo_tokens_per_s", slo.Value, 6);
            }
            else
            {
                w.WriteNull("slo_tokens_per_s");
            }

            w.WriteString("billing", r.Billing == Billing.PerHour ? "hour" : "second");
            w.Number("safety_factor", r.Settings.SafetyFactor, 6);
            w.WriteBoolean("overlap", r.Settings.Overlap);
            w.WriteBoolean("allow_weight_offload", r.AllowWeightOffload);
            w.WriteNumber("weights_bytes", Math.Round(plan.WeightsBytes.Value));
            w.WriteNumber("kv_cache_bytes", Math.Round(plan.KvCacheBytes.Value));
            w.WriteStartArray("candidates");
            for (int i = 0; i < plan.Candidates.Count; i++)
            {
                Candidate(w, r, plan.Candidates[i], i + 1);
            }

            w.WriteEndArray();
            if (plan.Best is { } best)
            {
                w.WritePropertyName("best");
                Candidate(w, r, best, plan.Candidates.ToList().IndexOf(best) + 1);
            }
            else
            {
                w.WriteNull("best");
            }

            w.WriteEndObject();
        });
    }

    /// <summary>The CSV report.</summary>
    /// <param name="plan">The plan.</param>
    /// <returns>The CSV text.</returns>
    public static string Csv(OffloadPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.WriteRow(CsvColumns);
        for (int i = 0; i < plan.Candidates.Count; i++)
        {
            OffloadCandidate c = plan.Candidates[i];
            OffloadRun? run = c.Run;
            string N(double? value, int decimals) => value is double v ? CsvWriter.Number(v, decimals) : string.Empty;
            csv.WriteRow(
            [
                (i + 1).ToString(CultureInfo.InvariantCulture),
                c.Machine.Name,
                c.Machine.Gpu.Id,
                c.Machine.GpuCount.ToString(CultureInfo.InvariantCulture),
                N(c.Machine.HostMemory?.Gibibytes, 3),
                N(c.Machine.Price?.Value, 6),
                c.Feasible ? "true" : "false",
                c.Feasible && c.MeetsSlo ? "true" : "false",
                c.Feasible ? c.BatchSize.ToString(CultureInfo.InvariantCulture) : string.Empty,
                N(run?.KvOffloadFraction, 6),
                run is null ? string.Empty : run.Placement.KvLayers.ToString(CultureInfo.InvariantCulture),
                N(run?.WeightOffloadFraction, 6),
                run is null ? string.Empty : run.Placement.WeightLayers.ToString(CultureInfo.InvariantCulture),
                N(run?.Memory.GpuUsed.Gibibytes, 3),
                N(run?.Memory.HostUsed.Gibibytes, 3),
                N(run?.Prefill.Value, 6),
                N(run?.Decode.Value, 6),
                N(run?.Total.Value, 6),
                N(c.Feasible ? c.OutputTokensPerSecond.Value : null, 3),
                N(c.Feasible ? c.TotalTokensPerSecond.Value : null, 3),
                N(c.Feasible ? c.JobTime.Value : null, 3),
                N(c.Feasible ? c.BilledTime.Value : null, 0),
                N(c.TotalCost?.Value, 6),
                N(c.TokensPerDollar, 1),
                c.Problem,
            ]);
        }

        return text.ToString();
    }

    private static void Candidate(Utf8JsonWriter w, OffloadRequest r, OffloadCandidate c, int rank)
    {
        w.WriteStartObject();
        w.WriteNumber("rank", rank);
        w.WriteString("instance", c.Machine.Name);
        w.WriteString("gpu", c.Machine.Gpu.Id);
        w.WriteNumber("gpus", c.Machine.GpuCount);
        NumberOrNull(w, "host_memory_bytes", c.Machine.HostMemory?.Value, 0);
        NumberOrNull(w, "cost_per_hour", c.Machine.Price?.Value, 6);
        w.WriteBoolean("feasible", c.Feasible);
        if (!c.Feasible)
        {
            w.WriteString("reason", c.Problem);
            w.WriteEndObject();
            return;
        }

        OffloadRun run = c.Run!;
        w.WriteBoolean("meets_slo", c.MeetsSlo);
        w.WriteNumber("batch_size", c.BatchSize);
        w.Number("offload_fraction", run.KvOffloadFraction, 6);
        w.WriteNumber("kv_offload_layers", run.Placement.KvLayers);
        w.Number("weight_offload_fraction", run.WeightOffloadFraction, 6);
        w.WriteNumber("weight_offload_layers", run.Placement.WeightLayers);
        w.WriteStartObject("gpu_memory_bytes");
        w.WriteNumber("usable", Math.Round(run.Memory.GpuUsable.Value));
        w.WriteNumber("weights", Math.Round(run.Memory.WeightsOnGpu.Value));
        w.WriteNumber("kv_cache", Math.Round(run.Memory.KvOnGpu.Value));
        w.WriteNumber("activations", Math.Round(run.Memory.Activations.Value));
        w.WriteNumber("staging", Math.Round(run.Memory.Staging.Value));
        w.WriteNumber("used", Math.Round(run.Memory.GpuUsed.Value));
        w.WriteEndObject();
        w.WriteNumber("host_memory_used_bytes", Math.Round(run.Memory.HostUsed.Value));
        w.Number("host_to_device_gbps", run.HostToDevice.GigabytesPerSecond, 3);
        w.Number("device_to_host_gbps", run.DeviceToHost.GigabytesPerSecond, 3);
        w.Number("prefill_seconds", run.Prefill.Value, 6);
        w.Number("decode_seconds", run.Decode.Value, 6);
        w.Number("batch_seconds", run.Total.Value, 6);
        w.Number("transfer_seconds", (run.PrefillTransfer + run.DecodeTransfer).Value, 6);
        w.Number("output_tokens_per_s", c.OutputTokensPerSecond.Value, 3);
        w.Number("total_tokens_per_s", c.TotalTokensPerSecond.Value, 3);
        w.Number("job_seconds", c.JobTime.Value, 3);
        w.Number("billed_hours", c.BilledTime.Hours, 6);
        NumberOrNull(w, "total_cost", c.TotalCost?.Value, 6);
        NumberOrNull(w, "tokens_per_dollar", c.TokensPerDollar, 1);
        w.WriteEndObject();
    }

    private static void NumberOrNull(Utf8JsonWriter w, string name, double? value, int decimals)
    {
        if (value is double v)
        {
            w.Number(name, v, decimals);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
