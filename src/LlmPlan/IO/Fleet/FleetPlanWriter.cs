using System.Globalization;
using System.Text.Json;
using LlmPlan.Planning.Fleet;

namespace LlmPlan.IO.Fleet;

/// <summary>Writes fleet plans: Mélange's one-line result and our JSON report (Mélange's keys first).</summary>
public static class FleetPlanWriter
{
    /// <summary>The result's own top-level keys, which a GPU name must not repeat (its counts share the top level, as in
    /// Mélange).</summary>
    public static readonly IReadOnlyList<string> ReservedKeys =
        ["cost", "status", "reason", "solver", "nodes", "solve_seconds", "total_request_rate", "slice_factor", "utilization", "allocations", "assignments", "single_type", "profiles"];

    /// <summary>Mélange's result: units per option in option order, then <c>cost</c> in $/h; <c>null</c> when infeasible.</summary>
    /// <param name="plan">The plan.</param>
    /// <returns>For example <c>{"A10G": 3, "A100-80GB": 1, "cost": 6.7}</c>.</returns>
    public static string MelangeLine(FleetPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Status == FleetStatus.Infeasible)
        {
            return "null";
        }

        var parts = plan.Allocations.Select(a => $"{JsonSerializer.Serialize(a.Option.Name)}: {a.Count.ToString(CultureInfo.InvariantCulture)}")
            .Append($"\"cost\": {Money(plan.CostPerHour.Value)}");
        return "{" + string.Join(", ", parts) + "}";
    }

    /// <summary>The JSON report.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="problem">The problem it solves.</param>
    /// <param name="profiles">The capacity profiles when they came from the performance model, or null.</param>
    /// <returns>The JSON text.</returns>
    public static string Json(FleetPlan plan, FleetProblem problem, IReadOnlyList<CandidateProfile>? profiles = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(problem);
        return JsonText.Write(w =>
        {
            w.WriteStartObject();
            foreach (FleetAllocation a in plan.Allocations)
            {
                w.WriteNumber(a.Option.Name, a.Count);
            }

            w.Number("cost", plan.CostPerHour.Value, 6);
            w.WriteString("status", plan.Status.ToString().ToLowerInvariant());
            w.WriteString("reason", plan.Reason);
            w.WriteString("solver", plan.Solver);
            w.WriteNumber("nodes", plan.Nodes);
            w.Number("solve_seconds", plan.SolveTime.Value, 4);
            w.Number("total_request_rate", problem.TotalRate.Value, 6);
            w.WriteNumber("slice_factor", problem.SliceFactor);
            w.Number("utilization", problem.Utilization, 6);
            w.WriteStartArray("allocations");
            foreach (FleetAllocation a in plan.Allocations)
            {
                w.WriteStartObject();
                w.WriteString("gpu", a.Option.Name);
                w.WriteNumber("count", a.Count);
                w.Number("cost_per_hour", a.CostPerHour.Value, 6);
                w.Number("load", a.Load, 6);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("assignments");
            foreach (FleetAssignment a in plan.Assignments)
            {
                w.WriteStartObject();
                w.WriteString("bucket", a.Bucket.Label);
                w.WriteNumber("row", a.Bucket.Row);
                w.WriteNumber("column", a.Bucket.Column);
                w.WriteString("gpu", a.Option.Name);
                w.WriteNumber("slices", a.Slices);
                w.Number("requests_per_s", a.Rate.Value, 6);
                w.Number("load", a.Load, 6);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("single_type");
            foreach (SingleTypeFleet s in plan.SingleType)
            {
                w.WriteStartObject();
                w.WriteString("gpu", s.Option.Name);
                if (s.Count is int count)
                {
                    w.WriteNumber("count", count);
                    w.Number("cost", s.CostPerHour!.Value.Value, 6);
                }
                else
                {
                    w.WriteNull("count");
                    w.WriteNull("cost");
                }

                w.WriteString("problem", s.Problem);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (profiles is not null)
            {
                w.WriteStartArray("profiles");
                foreach (CandidateProfile p in profiles)
                {
                    w.WriteStartObject();
                    w.WriteString("gpu", p.Candidate.Name);
                    w.WriteNumber("replicas", p.Replicas);
                    w.Number("cost", p.CostPerHour.Value, 6);
                    w.WriteString("problem", p.Problem);
                    Matrix(w, "tputs", problem, b => Math.Round(p.Capacity[b].Value, 4, MidpointRounding.AwayFromZero));
                    Matrix(w, "concurrency", problem, b => p.Concurrency[b]);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        });
    }

    /// <summary>Writes one value per bucket as rows of the distribution (Mélange's <c>tputs</c> shape).</summary>
    private static void Matrix(Utf8JsonWriter w, string name, FleetProblem problem, Func<int, double> value)
    {
        w.WriteStartArray(name);
        foreach (int row in problem.Buckets.Select(b => b.Row).Distinct())
        {
            w.WriteStartArray();
            for (int b = 0; b < problem.Buckets.Count; b++)
            {
                if (problem.Buckets[b].Row == row)
                {
                    w.WriteNumberValue(value(b));
                }
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    /// <summary>A price in $/h as the shortest text of its value rounded to 6 decimals (6.7, not 6.699999999999999).</summary>
    /// <param name="dollarsPerHour">The price.</param>
    /// <returns>The text.</returns>
    public static string Money(double dollarsPerHour) => Math.Round(dollarsPerHour, 6, MidpointRounding.AwayFromZero).ToString("R", CultureInfo.InvariantCulture);
}
