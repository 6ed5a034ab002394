using System.Text.Json;
using LlmPlan.Planning.Robust;

namespace LlmPlan.IO.Robust;

/// <summary>Writes a robust solution as JSON: status, objective, breakdown, deployments, routing, unmet, constraints, gap,
/// solve_seconds, and the Monte-Carlo check when one ran (docs/formats.md).</summary>
public static class RobustSolutionWriter
{
    /// <summary>The JSON report.</summary>
    /// <param name="solution">The solution.</param>
    /// <param name="scales">The scale factors applied to the instance, by command-line name.</param>
    /// <param name="simulation">The Monte-Carlo check of this allocation and of the deterministic one, or null.</param>
    /// <returns>The JSON text.</returns>
    public static string Json(RobustSolution solution, IReadOnlyList<(string Name, double Factor)> scales, RobustComparison? simulation = null)
    {
        ArgumentNullException.ThrowIfNull(solution);
        ArgumentNullException.ThrowIfNull(scales);
        RobustInstance instance = solution.Instance;
        return JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("instance", instance.Name);
            w.WriteString("formulation", solution.Options.Formulation == FormulationKind.Seed ? "seed" : "corrected");
            w.WriteBoolean("split_traffic", solution.Options.SplitTraffic);
            w.Number("gamma_delay", solution.Options.DelayBudget(instance), 6);
            w.Number("gamma_error", solution.Options.ErrorBudget(instance), 6);
            w.WriteStartObject("scales");
            foreach (var (name, factor) in scales)
            {
                w.Number(name, factor, 6);
            }

            w.WriteEndObject();
            w.WriteString("status", solution.Status.ToString().ToLowerInvariant());
            w.WriteString("reason", solution.Reason);
            if (solution.Status == RobustStatus.Infeasible)
            {
                w.WriteNull("objective");
                w.WriteNull("gap");
            }
            else
            {
                w.Number("objective", solution.Objective, 6);
                w.Number("gap", solution.Gap, 9);
            }

            w.Number("solve_seconds", solution.SolveTime.Value, 4);
            if (solution.Breakdown is { } b)
            {
                w.WriteStartObject("breakdown");
                w.Number("rental", b.Rental, 6);
                w.Number("model_storage", b.ModelStorage, 6);
                w.Number("data_storage", b.DataStorage, 6);
                w.Number("nominal_delay", b.NominalDelay, 6);
                w.Number("robust_delay", b.RobustDelay, 6);
                w.Number("unmet", b.Unmet, 6);
                w.Number("total", b.Total, 6);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("breakdown");
            }

            w.WriteStartArray("deployments");
            foreach (RobustDeployment d in solution.Deployments)
            {
                GpuTier tier = instance.Tiers[d.Tier];
                w.WriteStartObject();
                w.WriteString("model", instance.Models[d.Model].Name);
                w.WriteString("tier", tier.Name);
                w.WriteString("gpu", tier.Gpu);
                w.WriteString("precision", tier.Precision);
                w.WriteNumber("tp", d.TensorParallel);
                w.WriteNumber("gpus", d.TensorParallel);
                w.Number("rental_cost", d.RentalCost, 6);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("routing");
            foreach (RobustRoute r in solution.Routes)
            {
                QueryClass q = instance.QueryClasses[r.Class];
                w.WriteStartObject();
                w.WriteString("class", q.Name);
                w.WriteString("model", instance.Models[r.Model].Name);
                w.WriteString("tier", instance.Tiers[r.Tier].Name);
                w.Number("share", r.Share, 9);
                w.Number("queries_per_hour", r.Share * q.ArrivalRatePerHour, 6);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("unmet");
            for (int i = 0; i < solution.Unmet.Count; i++)
            {
                w.Number(instance.QueryClasses[i].Name, solution.Unmet[i], 9);
            }

            w.WriteEndObject();
            w.WriteStartArray("constraints");
            foreach (ConstraintUse c in solution.Constraints)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.Number("used", c.Used, 6);
                w.Number("limit", c.Limit, 6);
                w.Number("slack", c.Slack, 6);
                w.WriteString("unit", c.Unit);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (simulation is not null)
            {
                Simulation(w, instance, simulation);
            }

            w.WriteEndObject();
        });
    }

    private static void Simulation(Utf8JsonWriter w, RobustInstance instance, RobustComparison simulation)
    {
        w.WriteStartObject("simulation");
        w.WriteNumber("draws", simulation.Draws);
        w.WriteNumber("seed", simulation.Seed);
        w.WriteString("deterministic_status", simulation.Deterministic.Status.ToString().ToLowerInvariant());
        w.WriteStartArray("classes");
        for (int i = 0; i < instance.QueryClasses.Count; i++)
        {
            w.WriteStartObject();
            w.WriteString("class", instance.QueryClasses[i].Name);
            Violations(w, "robust", simulation.Robust[i]);
            if (simulation.DeterministicViolations is { } det)
            {
                Violations(w, "deterministic", det[i]);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Violations(Utf8JsonWriter w, string name, ClassViolations v)
    {
        w.WriteStartObject(name);
        w.Number("delay_violation_rate", v.DelayViolations, 6);
        w.Number("error_violation_rate", v.ErrorViolations, 6);
        w.Number("mean_delay_ms", v.MeanDelay, 6);
        w.Number("max_delay_ms", v.MaxDelay, 6);
        w.WriteEndObject();
    }
}
