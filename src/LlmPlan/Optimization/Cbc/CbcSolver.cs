using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using LlmPlan.Optimization.Cbc.Interop;
using LlmPlan.Units;
using Native = LlmPlan.Optimization.Cbc.Interop.Interop.Cbc;

namespace LlmPlan.Optimization.Cbc;

/// <summary>Solves models with COIN-OR CBC 2.10 (Debian package <c>coinor-libcbc3</c>) through its C interface.</summary>
/// <remarks>The whole matrix is loaded in one <c>Cbc_loadProblem</c> call from column-major arrays built once. Solves are
/// serialised: CBC's driver (<c>CbcMain1</c>, which <c>Cbc_solve</c> runs) keeps process-wide state.</remarks>
public sealed class CbcSolver : ISolver
{
    private static readonly Lock Gate = new();

    /// <summary>Gets the shared instance.</summary>
    public static CbcSolver Instance { get; } = new();

    /// <inheritdoc/>
    /// <exception cref="SolverUnavailableException">The library cannot be loaded.</exception>
    public string Name => "CBC " + CbcLibrary.Version;

    /// <inheritdoc/>
    public SolverResult Solve(LinearModel model, SolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= SolverOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);
        if (options.RelativeGap is < 0 or > 1 || double.IsNaN(options.RelativeGap))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RelativeGap, "The relative gap must be between 0 and 1.");
        }

        if (options.TimeLimit is Seconds limit && !(limit.Value > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), limit.Value, "The time limit must be positive.");
        }

        if (options.Start is { } given && given.Count != model.Variables.Count)
        {
            throw new ArgumentException(Invariant.Text($"The start has {given.Count} values; the model has {model.Variables.Count} variables."), nameof(options));
        }

        CbcLibrary.EnsureLoaded();
        var matrix = ColumnMatrix.From(model);
        lock (Gate)
        {
            var clock = Stopwatch.StartNew();
            using SafeCbcModelHandle handle = Native.NewModel();
            if (handle.IsInvalid)
            {
                throw new SolverUnavailableException("CBC could not create a model (Cbc_newModel returned null); the process may be out of memory.");
            }

            matrix.Load(handle);
            for (int j = 0; j < model.Variables.Count; j++)
            {
                if (model.Variables[j].Kind != VariableKind.Continuous)
                {
                    Native.SetInteger(handle, j);
                }
            }

            Native.SetObjSense(handle, model.Sense == ObjectiveSense.Maximize ? Native.Maximize : Native.Minimize);
            Native.SetLogLevel(handle, options.Log ? 1 : 0);
            if (options.Threads > 1)
            {
                // Any "threads" value, 1 included, switches CBC to its threaded search, which costs more than it gains on
                // small models; leave it unset for a serial solve.
                Native.SetParameter(handle, "threads", options.Threads.ToString(CultureInfo.InvariantCulture));
            }

            if (!options.Cuts)
            {
                Native.SetParameter(handle, "cuts", "off");
                if (options.RoundingCuts)
                {
                    Native.SetParameter(handle, "mixedIntegerRoundingCuts", "on");
                }
            }

            if (!options.Heuristics)
            {
                Native.SetParameter(handle, "heuristics", "off");
            }
            Native.SetAllowableFractionGap(handle, options.RelativeGap);
            if (options.TimeLimit is Seconds seconds)
            {
                Native.SetParameter(handle, "timeMode", "elapsed");
                Native.SetMaximumSeconds(handle, seconds.Value);
            }

            if (options.Start is { } start)
            {
                SetStart(handle, model, start);
            }

            int code = Native.Solve(handle);
            return Read(handle, model, code, Seconds.FromSeconds(clock.Elapsed.TotalSeconds));
        }
    }

    /// <summary>Passes the integer variables of a start to CBC (<c>Cbc_setMIPStartI</c>), which completes the rest.</summary>
    private static unsafe void SetStart(SafeCbcModelHandle handle, LinearModel model, IReadOnlyList<double> start)
    {
        int[] columns = [.. Enumerable.Range(0, start.Count).Where(j => model.Variables[j].Kind != VariableKind.Continuous)];
        double[] values = [.. columns.Select(j => Math.Round(start[j]))];
        fixed (int* c = columns)
        fixed (double* v = values)
        {
            Native.SetMipStart(handle, columns.Length, c, v);
        }
    }

    private static SolverResult Read(SafeCbcModelHandle handle, LinearModel model, int code, Seconds elapsed)
    {
        bool optimal = Native.IsProvenOptimal(handle) != 0;
        bool infeasible = Native.IsProvenInfeasible(handle) != 0;
        bool unbounded = Native.IsContinuousUnbounded(handle) != 0;
        if (!model.HasIntegers && infeasible && Native.IsInitialSolveProvenPrimalInfeasible(handle) == 0)
        {
            // A pure LP ends in Clp's initial solve, where "proven infeasible" also covers a dual-infeasible (unbounded)
            // problem; only the primal flag means no point satisfies the rows.
            (infeasible, unbounded) = (false, true);
        }

        bool timeLimit = Native.IsSecondsLimitReached(handle) != 0;
        bool abandoned = Native.IsAbandoned(handle) != 0;
        int status = Native.Status(handle);
        int secondary = Native.SecondaryStatus(handle);
        string message = $"Cbc_solve returned {code}; status {status}, secondary status {secondary}";

        // A MIP's incumbent is Cbc_bestSolution (null when the search found none); an LP's is its optimal column solution.
        nint solution = model.HasIntegers ? Native.BestSolution(handle) : (optimal ? Native.GetColSolution(handle) : nint.Zero);
        double[] values = [];
        if (solution != nint.Zero && !infeasible && !unbounded)
        {
            values = new double[model.Variables.Count];
            Marshal.Copy(solution, values, 0, values.Length);
        }

        SolverStatus result = infeasible ? SolverStatus.Infeasible
            : unbounded ? SolverStatus.Unbounded
            : optimal && values.Length > 0 ? SolverStatus.Optimal
            : timeLimit ? SolverStatus.TimeLimit
            : abandoned || values.Length == 0 ? SolverStatus.Error
            : SolverStatus.Feasible;

        double objective = values.Length > 0 ? model.ObjectiveAt(values) : double.NaN;
        double bound = result switch
        {
            SolverStatus.Optimal when !model.HasIntegers => objective,
            SolverStatus.Optimal or SolverStatus.Feasible or SolverStatus.TimeLimit => Native.GetBestPossibleObjValue(handle) + model.ObjectiveConstant,
            _ => double.NaN,
        };
        if (result == SolverStatus.Optimal && double.IsFinite(bound))
        {
            // The bound CBC reports can sit a rounding error past the objective; an optimum's gap is by definition 0.
            bound = model.Sense == ObjectiveSense.Minimize ? Math.Min(bound, objective) : Math.Max(bound, objective);
        }

        double gap = values.Length > 0 && double.IsFinite(bound) ? Math.Abs(objective - bound) / Math.Max(1e-10, Math.Abs(objective)) : double.NaN;
        return new SolverResult
        {
            Status = result,
            Objective = objective,
            BestBound = bound,
            RelativeGap = gap,
            Values = values,
            Nodes = Native.GetNodeCount(handle),
            Elapsed = elapsed,
            Message = message,
        };
    }

    /// <summary>The model's matrix in CBC's column-major form, with bounds and objective, built once.</summary>
    private sealed class ColumnMatrix
    {
        private int[] _start = [];
        private int[] _index = [];
        private double[] _value = [];
        private double[] _columnLower = [];
        private double[] _columnUpper = [];
        private double[] _objective = [];
        private double[] _rowLower = [];
        private double[] _rowUpper = [];

        public static ColumnMatrix From(LinearModel model)
        {
            int columns = model.Variables.Count;
            var counts = new int[columns + 1];
            foreach (ConstraintDefinition row in model.Constraints)
            {
                foreach (LinearTerm term in row.Terms)
                {
                    counts[term.Variable.Index + 1]++;
                }
            }

            for (int j = 0; j < columns; j++)
            {
                counts[j + 1] += counts[j];
            }

            var next = counts[..columns];
            var index = new int[counts[columns]];
            var value = new double[counts[columns]];
            for (int i = 0; i < model.Constraints.Count; i++)
            {
                foreach (LinearTerm term in model.Constraints[i].Terms)
                {
                    int at = next[term.Variable.Index]++;
                    index[at] = i;
                    value[at] = term.Coefficient;
                }
            }

            return new ColumnMatrix
            {
                _start = counts,
                _index = index,
                _value = value,
                _columnLower = [.. model.Variables.Select(v => Finite(v.Lower))],
                _columnUpper = [.. model.Variables.Select(v => Finite(v.Upper))],
                _objective = [.. model.Variables.Select(v => v.Objective)],
                _rowLower = [.. model.Constraints.Select(c => Finite(c.Lower))],
                _rowUpper = [.. model.Constraints.Select(c => Finite(c.Upper))],
            };
        }

        public unsafe void Load(SafeCbcModelHandle handle)
        {
            fixed (int* start = _start, index = _index)
            fixed (double* value = _value, columnLower = _columnLower, columnUpper = _columnUpper, objective = _objective, rowLower = _rowLower, rowUpper = _rowUpper)
            {
                Native.LoadProblem(handle, _objective.Length, _rowLower.Length, start, index, value, columnLower, columnUpper, objective, rowLower, rowUpper);
            }
        }

        private static double Finite(double bound) =>
            double.IsPositiveInfinity(bound) ? Native.Infinity : double.IsNegativeInfinity(bound) ? -Native.Infinity : bound;
    }
}
