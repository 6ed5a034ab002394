namespace LlmPlan.Planning.Robust;

/// <summary>How often one class breaks its limits when delays and errors are drawn inside the uncertainty set.</summary>
/// <param name="Class">The class index i.</param>
/// <param name="DelayViolations">The share of draws whose delay exceeds the class's limit.</param>
/// <param name="ErrorViolations">The share of draws whose error rate exceeds the class's limit.</param>
/// <param name="MeanDelay">The mean delay of a query over the draws, in ms.</param>
/// <param name="MaxDelay">The largest delay drawn, in ms.</param>
public sealed record ClassViolations(int Class, double DelayViolations, double ErrorViolations, double MeanDelay, double MaxDelay);

/// <summary>Monte-Carlo check of an allocation: draws ξ ∈ [0, 1] independently for every (model, tier) pair of each
/// class, scales a draw down onto Σ ξ = Γ when it exceeds the budget (so every draw lies in the uncertainty set), and
/// counts how often the realised delay Σ (d̄ + d̂·ξ)·r·x (÷ TP n in the corrected formulation) and error Σ (ē + ê·ξ)·x
/// break the limits the formulation enforces. Seeded: the same seed gives the same counts.</summary>
public static class RobustSimulation
{
    /// <summary>Simulates an allocation.</summary>
    /// <param name="solution">A feasible solution.</param>
    /// <param name="draws">The number of draws per class.</param>
    /// <param name="seed">The random seed.</param>
    /// <returns>One entry per class.</returns>
    public static IReadOnlyList<ClassViolations> Run(RobustSolution solution, int draws, uint seed)
    {
        ArgumentNullException.ThrowIfNull(solution);
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        RobustInstance instance = solution.Instance;
        FormulationKind formulation = solution.Options.Formulation;
        int leakedTp = RobustFormulation.DelayLimitFactor(instance, formulation, solution.Deployments);
        double gammaDelay = solution.Options.DelayBudget(instance);
        double gammaError = solution.Options.ErrorBudget(instance);
        var random = new Mt19937(seed);
        var result = new List<ClassViolations>();
        for (int i = 0; i < instance.QueryClasses.Count; i++)
        {
            QueryClass q = instance.QueryClasses[i];
            var routes = solution.Routes.Where(r => r.Class == i).ToList();
            double[] tp = [.. routes.Select(r => (double)RobustFormulation.DelayDivisor(formulation, solution.Deployments, r))];
            int delayBreaks = 0, errorBreaks = 0;
            double delaySum = 0, delayMax = 0;
            double delayLimit = q.DelayThresholdMilliseconds * leakedTp;
            for (int draw = 0; draw < draws; draw++)
            {
                double[] xiDelay = Draw(random, routes.Count, gammaDelay);
                double[] xiError = Draw(random, routes.Count, gammaError);
                double delay = 0, error = 0;
                for (int r = 0; r < routes.Count; r++)
                {
                    RobustRoute route = routes[r];
                    delay += (instance.DelayNominal[i, route.Model, route.Tier] + (instance.DelayDeviation[i, route.Model, route.Tier] * xiDelay[r])) * q.Tokens * route.Share / tp[r];
                    error += (instance.ErrorNominal[i, route.Model, route.Tier] + (instance.ErrorDeviation[i, route.Model, route.Tier] * xiError[r])) * route.Share;
                }

                delaySum += delay;
                delayMax = Math.Max(delayMax, delay);
                delayBreaks += delay > delayLimit * (1 + 1e-12) ? 1 : 0;
                errorBreaks += error > q.ErrorThreshold * (1 + 1e-12) ? 1 : 0;
            }

            result.Add(new ClassViolations(i, delayBreaks / (double)draws, errorBreaks / (double)draws, delaySum / draws, delayMax));
        }

        return result;
    }

    /// <summary>One draw of ξ ∈ [0, 1]^count with Σ ξ ≤ Γ.</summary>
    private static double[] Draw(Mt19937 random, int count, double gamma)
    {
        double[] xi = new double[count];
        for (int r = 0; r < count; r++)
        {
            xi[r] = random.NextDouble();
        }

        double sum = xi.Sum();
        if (sum > gamma)
        {
            double factor = sum > 0 ? gamma / sum : 0;
            for (int r = 0; r < count; r++)
            {
                xi[r] *= factor;
            }
        }

        return xi;
    }
}

/// <summary>The Monte-Carlo check of a robust allocation beside the deterministic (Γ = 0) allocation of the same instance,
/// both under the same draws.</summary>
/// <param name="Draws">Draws per class.</param>
/// <param name="Seed">The random seed.</param>
/// <param name="Robust">The robust allocation's violations per class.</param>
/// <param name="Deterministic">The deterministic solve.</param>
/// <param name="DeterministicViolations">Its violations per class, or null when it has no allocation.</param>
public sealed record RobustComparison(int Draws, uint Seed, IReadOnlyList<ClassViolations> Robust, RobustSolution Deterministic, IReadOnlyList<ClassViolations>? DeterministicViolations)
{
    /// <summary>Solves the deterministic twin of a solution's problem and simulates both allocations.</summary>
    /// <param name="solution">The robust solution (feasible).</param>
    /// <param name="solver">The solver.</param>
    /// <param name="solverOptions">The solver settings, or null.</param>
    /// <param name="draws">Draws per class.</param>
    /// <param name="seed">The random seed.</param>
    /// <returns>The comparison.</returns>
    public static RobustComparison Run(RobustSolution solution, Optimization.ISolver solver, Optimization.SolverOptions? solverOptions, int draws, uint seed)
    {
        ArgumentNullException.ThrowIfNull(solution);
        RobustSolution deterministic = RobustPlanner.Solve(solution.Instance, solution.Options with { Deterministic = true }, solver, solverOptions);
        return new RobustComparison(
            draws,
            seed,
            RobustSimulation.Run(solution, draws, seed),
            deterministic,
            deterministic.Status == RobustStatus.Infeasible ? null : RobustSimulation.Run(deterministic with { Options = solution.Options }, draws, seed));
    }
}
