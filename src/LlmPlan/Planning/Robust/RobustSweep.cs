using LlmPlan.Optimization;
using LlmPlan.Planning.Sweeps;
using LlmPlan.Validation;

namespace LlmPlan.Planning.Robust;

/// <summary>One swept parameter of a sensitivity grid and the factors it takes.</summary>
/// <param name="Parameter">The parameter.</param>
/// <param name="Factors">The factors (× the instance's value), in grid order, distinct and &gt; 0.</param>
public sealed record SweepAxis(ScaledParameter Parameter, IReadOnlyList<double> Factors);

/// <summary>A named sensitivity grid: one of the seed's four sensitivity scripts (spec §4).</summary>
/// <param name="Name">The command-line name, e.g. <c>gpu-cost-error</c>.</param>
/// <param name="Axes">The two axes; the first is the outer (row) one.</param>
public sealed record RobustSweepPreset(string Name, IReadOnlyList<SweepAxis> Axes);

/// <summary>One solved grid point.</summary>
/// <param name="Factors">The factor of each axis, in axis order.</param>
/// <param name="Solution">The solution at those factors (status infeasible when there is none).</param>
public sealed record RobustSweepPoint(IReadOnlyList<double> Factors, RobustSolution Solution);

/// <summary>Sensitivity analysis of a robust instance: the same solve at every point of a grid of one or two scaled
/// parameters, on the shared sweep engine (the seed's sequential double loops, spec §4).</summary>
public static class RobustSweep
{
    /// <summary>The most parameters swept at once (the two axes of a heatmap).</summary>
    public const int MaxAxes = 2;

    /// <summary>The most factors one axis may take.</summary>
    public const int MaxFactors = 200;

    /// <summary>The seed's four grids: <c>cost-budget</c> (its cost_budget script, 6 × 5 = 30 points),
    /// <c>delay-error</c> (delay_error_threshold, 5 × 11 = 55), <c>gpu-cost-error</c> (gpu_cost_error, 11 × 11 = 121),
    /// <c>memory-error</c> (memory_error, 8 × 8 = 64).</summary>
    public static IReadOnlyList<RobustSweepPreset> Presets { get; } =
    [
        new("cost-budget", [new(ScaledParameter.GpuPrice, SweepRange.Values(0.40, 0.65, 0.05)), new(ScaledParameter.Budget, SweepRange.Values(0.30, 0.50, 0.05))]),
        new("delay-error", [new(ScaledParameter.DelayThreshold, [0.01, 0.03, 0.05, 0.07, 0.09]), new(ScaledParameter.ErrorThreshold, SweepRange.Values(0.4, 1.4, 0.1))]),
        new("gpu-cost-error", [new(ScaledParameter.GpuPrice, SweepRange.Values(0.5, 1.5, 0.1)), new(ScaledParameter.ErrorThreshold, SweepRange.Values(0.4, 1.4, 0.1))]),
        new("memory-error", [new(ScaledParameter.GpuMemory, SweepRange.Values(0.6, 2.0, 0.2)), new(ScaledParameter.ErrorThreshold, SweepRange.Values(0.6, 2.0, 0.2))]),
    ];

    /// <summary>Finds a preset by name.</summary>
    /// <param name="name">The name, e.g. <c>memory-error</c>.</param>
    /// <returns>The preset, or null.</returns>
    public static RobustSweepPreset? FindPreset(string name) =>
        Presets.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses <c>--grid</c> flags, <c>NAME=FROM:TO:STEP</c> or <c>NAME=V1,V2,…</c>, collecting every error: an
    /// unknown name, a bad number, a range the wrong way round, a factor listed twice, a parameter swept twice, more
    /// than <see cref="MaxAxes"/> grids.</summary>
    /// <param name="texts">The flag values, in order.</param>
    /// <param name="errors">Collects the errors.</param>
    /// <returns>The axes, in order (incomplete after an error).</returns>
    public static IReadOnlyList<SweepAxis> ParseGrid(IReadOnlyList<string> texts, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(errors);
        const string Where = "--grid";
        if (texts.Count > MaxAxes)
        {
            errors.Add(Where, Invariant.Text($"{texts.Count} grids given; sweep one or two parameters at once (the two axes of a heatmap)."));
            return [];
        }

        var axes = new List<SweepAxis>();
        foreach (string text in texts)
        {
            int eq = text.IndexOf('=', StringComparison.Ordinal);
            string name = eq > 0 ? text[..eq].Trim() : string.Empty;
            ScaledParameter? parameter = RobustScaling.Find(name);
            if (parameter is null)
            {
                errors.Add(Where, $"'{text}' is not NAME=FROM:TO:STEP or NAME=V1,V2,… with NAME one of: {string.Join(", ", RobustScaling.Names.Select(n => n.Name))}.");
                continue;
            }

            string where = Where + " " + name;
            int before = errors.All.Count;
            IReadOnlyList<double> factors = SweepRange.Parse(text[(eq + 1)..], where, errors, example: "0.5:1.5:0.1", noun: "factors", MaxFactors, minimum: 0, exclusiveMinimum: true);
            if (errors.All.Count > before)
            {
                continue;
            }

            if (factors.Count > MaxFactors)
            {
                errors.Add(where, Invariant.Text($"{factors.Count} factors is too many; use at most {MaxFactors}."));
            }
            else if (factors.GroupBy(f => f).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                errors.Add(where, Invariant.Text($"the factor {twice.Key} is listed twice; give each once."));
            }
            else if (axes.Any(a => a.Parameter == parameter))
            {
                errors.Add(Where, $"{name} is swept twice; give each parameter once.");
            }
            else
            {
                axes.Add(new SweepAxis(parameter.Value, factors));
            }
        }

        return axes;
    }

    /// <summary>The grid points: every combination of the axes' factors, the first axis outermost (row-major).</summary>
    /// <param name="axes">The axes.</param>
    /// <returns>The factors of each point, in axis order.</returns>
    public static IReadOnlyList<IReadOnlyList<double>> Points(IReadOnlyList<SweepAxis> axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        IEnumerable<IReadOnlyList<double>> points = [[]];
        foreach (SweepAxis axis in axes)
        {
            points = [.. points.SelectMany(p => axis.Factors.Select(f => (IReadOnlyList<double>)[.. p, f]))];
        }

        return [.. points];
    }

    /// <summary>Solves the instance at every grid point on the shared sweep engine: the rows (one per factor of the
    /// first axis of a two-axis grid) in parallel, the points of a row one after another from its last factor to its
    /// first, each search started from the allocation of the point before it (a looser limit's allocation is often
    /// feasible, and near-optimal, at the next tighter one). The starts depend only on the grid, so the output does
    /// not depend on the scheduling.</summary>
    /// <param name="instance">The instance at factor 1.</param>
    /// <param name="axes">One or two axes over distinct parameters.</param>
    /// <param name="options">The formulation options, the same at every point.</param>
    /// <param name="solver">The solver.</param>
    /// <param name="solverOptions">The solver settings, or null for <see cref="RobustPlanner.DefaultSolverOptions"/>.</param>
    /// <param name="progress">Receives the count of solved points, or null.</param>
    /// <param name="maxParallelism">The most rows in flight at once; by default the processor count.</param>
    /// <returns>One point per combination, in <see cref="Points"/> order; infeasible points are kept.</returns>
    /// <exception cref="ArgumentException">No axis, more than two, a parameter twice, or an axis without factors.</exception>
    public static IReadOnlyList<RobustSweepPoint> Run(
        RobustInstance instance, IReadOnlyList<SweepAxis> axes, RobustOptions options, ISolver solver, SolverOptions? solverOptions = null, IProgress<int>? progress = null, int? maxParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(axes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(solver);
        if (axes.Count is < 1 or > MaxAxes || axes.Select(a => a.Parameter).Distinct().Count() != axes.Count || axes.Any(a => a.Factors.Count == 0))
        {
            throw new ArgumentException("A sweep needs one or two axes over distinct parameters, each with at least one factor.", nameof(axes));
        }

        IReadOnlyList<IReadOnlyList<double>> points = Points(axes);
        int rowLength = axes[^1].Factors.Count;
        int done = 0;
        var rows = SweepEngine.Run(
            [.. Enumerable.Range(0, points.Count / rowLength)],
            row =>
            {
                var solved = new RobustSweepPoint[rowLength];
                RobustSolution? start = null;
                for (int c = rowLength - 1; c >= 0; c--)
                {
                    IReadOnlyList<double> factors = points[(row * rowLength) + c];
                    RobustInstance scaled = instance;
                    for (int a = 0; a < axes.Count; a++)
                    {
                        scaled = RobustScaling.Scale(scaled, axes[a].Parameter, factors[a]);
                    }

                    RobustSolution solution = RobustPlanner.Solve(scaled, options, solver, solverOptions, start);
                    solved[c] = new RobustSweepPoint(factors, solution);
                    start = solution.Status == RobustStatus.Infeasible ? start : solution;
                    progress?.Report(Interlocked.Increment(ref done));
                }

                return solved;
            },
            maxParallelism);
        return [.. rows.SelectMany(r => r)];
    }
}
