using LlmPlan.Planning.Robust;

namespace LlmPlan.Cli.Rendering;

/// <summary>The human report of a robust solution: status and cost, then tables of the cost terms, GPUs, routing,
/// constraints and the Monte-Carlo check.</summary>
internal static class RobustReport
{
    public static void Write(TextWriter output, RobustSolution solution, RobustComparison? comparison)
    {
        RobustInstance instance = solution.Instance;
        RobustOptions o = solution.Options;
        string formulation = o.Formulation == FormulationKind.Seed ? "seed" : o.SplitTraffic ? "corrected, split traffic" : "corrected";
        output.WriteLine(Invariant.Text($"{instance.Name}: {instance.QueryClasses.Count} query types, {instance.Models.Count} models, {instance.Tiers.Count} GPU tiers; formulation {formulation}, Γ_d {o.DelayBudget(instance):0.###}, Γ_e {o.ErrorBudget(instance):0.###}"));
        if (solution.Status == RobustStatus.Infeasible)
        {
            output.WriteLine($"infeasible: {solution.Reason}");
            return;
        }

        output.WriteLine(solution.Status == RobustStatus.Optimal
            ? Invariant.Text($"status: optimal; total cost {solution.Objective:0.0000} $ over {instance.Scalars.HorizonHours:0.##} h")
            : Invariant.Text($"status: feasible (time limit; gap {solution.Gap * 100:0.##} %); total cost {solution.Objective:0.0000} $"));
        CostBreakdown b = solution.Breakdown!;
        double total = b.Total;
        string Share(double part) => total > 0 ? Invariant.Text($"{part / total * 100:0.0} %") : "-";
        Tables.Write(
            output,
            "Cost",
            ["term", "$", "share"],
            [
                ["GPU rental", Invariant.Fixed(b.Rental, 4), Share(b.Rental)],
                ["model storage", Invariant.Fixed(b.ModelStorage, 4), Share(b.ModelStorage)],
                ["data storage", Invariant.Fixed(b.DataStorage, 4), Share(b.DataStorage)],
                ["nominal delay", Invariant.Fixed(b.NominalDelay, 4), Share(b.NominalDelay)],
                ["robust delay (worst-case deviation)", Invariant.Fixed(b.RobustDelay, 4), Share(b.RobustDelay)],
                ["unmet demand", Invariant.Fixed(b.Unmet, 4), Share(b.Unmet)],
                ["total", Invariant.Fixed(total, 4), Share(total)],
            ],
            new HashSet<int> { 1, 2 });
        Tables.Write(
            output,
            "GPUs",
            ["model", "tier", "TP (GPUs)", "rental ($)", "query types"],
            solution.Deployments.Select(d => (IReadOnlyList<string>)
            [
                instance.Models[d.Model].Name,
                instance.Tiers[d.Tier].Name,
                Invariant.Text($"{d.TensorParallel}"),
                Invariant.Fixed(d.RentalCost, 4),
                string.Join(", ", solution.Routes.Where(r => r.Model == d.Model && r.Tier == d.Tier).Select(r => instance.QueryClasses[r.Class].Name).DefaultIfEmpty("none (idle)")),
            ]),
            new HashSet<int> { 2, 3 });
        Tables.Write(
            output,
            "Routing",
            ["query type", "model", "tier", "share", "queries/h", "unmet"],
            Enumerable.Range(0, instance.QueryClasses.Count).SelectMany(i =>
            {
                QueryClass q = instance.QueryClasses[i];
                var routes = solution.Routes.Where(r => r.Class == i).ToList();
                return routes.Count == 0
                    ? [[q.Name, "-", "-", "-", "-", Invariant.Text($"{solution.Unmet[i] * 100:0.##} %")]]
                    : routes.Select((r, n) => (IReadOnlyList<string>)
                    [
                        n == 0 ? q.Name : string.Empty,
                        instance.Models[r.Model].Name,
                        instance.Tiers[r.Tier].Name,
                        Invariant.Text($"{r.Share * 100:0.##} %"),
                        Invariant.Fixed(r.Share * q.ArrivalRatePerHour, 2),
                        n == 0 ? Invariant.Text($"{solution.Unmet[i] * 100:0.##} %") : string.Empty,
                    ]);
            }),
            new HashSet<int> { 3, 4, 5 });
        Tables.Write(
            output,
            "Constraints at the solution",
            ["constraint", "used", "limit", "slack", "use"],
            solution.Constraints.Select(c => (IReadOnlyList<string>)
            [
                c.Name,
                Amount(c.Used, c.Unit),
                Amount(c.Limit, c.Unit),
                Amount(c.Slack, c.Unit),
                c.Limit > 0 ? Invariant.Text($"{c.Used / c.Limit * 100:0.0} %") : "-",
            ]),
            new HashSet<int> { 1, 2, 3, 4 });
        if (comparison is not null)
        {
            Tables.Write(
                output,
                Invariant.Text($"Monte-Carlo check: {comparison.Draws} draws per query type inside the uncertainty set (seed {comparison.Seed}); share of draws over the limit"),
                ["query type", "delay, this allocation", "delay, deterministic", "error, this allocation", "error, deterministic"],
                Enumerable.Range(0, instance.QueryClasses.Count).Select(i => (IReadOnlyList<string>)
                [
                    instance.QueryClasses[i].Name,
                    Percent(comparison.Robust[i].DelayViolations),
                    comparison.DeterministicViolations is { } d ? Percent(d[i].DelayViolations) : "-",
                    Percent(comparison.Robust[i].ErrorViolations),
                    comparison.DeterministicViolations is { } e ? Percent(e[i].ErrorViolations) : "-",
                ]),
                new HashSet<int> { 1, 2, 3, 4 });
            if (comparison.Deterministic.Status != RobustStatus.Infeasible)
            {
                output.WriteLine(Invariant.Text($"deterministic allocation costs {comparison.Deterministic.Objective:0.0000} $ (this one {solution.Objective:0.0000} $)"));
            }
        }
    }

    private static string Percent(double share) => Invariant.Text($"{share * 100:0.0} %");

    private static string Amount(double value, string unit)
    {
        // Round first so that a slack of −1e-12 prints as 0, not −0.
        double rounded = Math.Round(value, unit.Length == 0 ? 5 : 4);
        rounded = rounded == 0 ? 0 : rounded;
        return unit.Length == 0 ? Invariant.Fixed(rounded, 5) : Invariant.Text($"{rounded:0.####} {unit}");
    }
}
