using LlmPlan.Units;

namespace LlmPlan.Optimization;

/// <summary>How a solve ended.</summary>
public enum SolverStatus
{
    /// <summary>A proven optimum (within the requested gap).</summary>
    Optimal,

    /// <summary>A feasible solution, not proven optimal (the search stopped on another limit).</summary>
    Feasible,

    /// <summary>No solution satisfies the constraints.</summary>
    Infeasible,

    /// <summary>The objective can improve without limit.</summary>
    Unbounded,

    /// <summary>The time limit was reached; <see cref="SolverResult.HasSolution"/> says whether an incumbent exists.</summary>
    TimeLimit,

    /// <summary>The solver failed or gave up.</summary>
    Error,
}

/// <summary>Limits and tolerances of one solve.</summary>
public sealed record SolverOptions
{
    /// <summary>Gets the default options: no time limit, a relative gap of 1e-9, one thread, silent.</summary>
    public static SolverOptions Default { get; } = new();

    /// <summary>Gets the wall-clock time limit, or null for none.</summary>
    public Seconds? TimeLimit { get; init; }

    /// <summary>Gets the relative gap |objective − bound| / |objective| at which the search stops and calls the
    /// incumbent optimal.</summary>
    public double RelativeGap { get; init; } = 1e-9;

    /// <summary>Gets the number of threads the solver may use.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Gets a value indicating whether the solver adds cutting planes at the nodes (on by default; small models
    /// whose LP bound is already tight solve faster without them).</summary>
    public bool Cuts { get; init; } = true;

    /// <summary>Gets a value indicating whether the solver adds mixed-integer rounding cuts even with <see cref="Cuts"/>
    /// off (off by default; with <see cref="Cuts"/> on they are among the cuts already).</summary>
    public bool RoundingCuts { get; init; }

    /// <summary>Gets a value indicating whether the solver runs its primal heuristics (on by default).</summary>
    public bool Heuristics { get; init; } = true;

    /// <summary>Gets a solution to start the search from (a value per variable, in column order), or null: the solver
    /// takes the integer variables' values, completes the continuous ones and keeps the result as its first incumbent
    /// when it satisfies every constraint (it is ignored otherwise). A good start prunes the search; it does not change
    /// the optimum.</summary>
    public IReadOnlyList<double>? Start { get; init; }

    /// <summary>Gets a value indicating whether the solver writes its own log (to the process's standard output).</summary>
    public bool Log { get; init; }
}

/// <summary>The outcome of a solve.</summary>
public sealed record SolverResult
{
    /// <summary>Gets how the solve ended.</summary>
    public required SolverStatus Status { get; init; }

    /// <summary>Gets the objective of the best solution found (NaN when none).</summary>
    public required double Objective { get; init; }

    /// <summary>Gets the best proven bound on the objective (NaN when unknown).</summary>
    public required double BestBound { get; init; }

    /// <summary>Gets the relative gap between the objective and the bound (0 at a proven optimum; NaN when unknown).</summary>
    public required double RelativeGap { get; init; }

    /// <summary>Gets the value of every variable in the best solution, in column order (empty when none).</summary>
    public required IReadOnlyList<double> Values { get; init; }

    /// <summary>Gets the branch-and-bound nodes explored.</summary>
    public required int Nodes { get; init; }

    /// <summary>Gets the time spent in the solver (loading the model and solving).</summary>
    public required Seconds Elapsed { get; init; }

    /// <summary>Gets the solver's own description of how it ended.</summary>
    public required string Message { get; init; }

    /// <summary>Gets a value indicating whether a solution is available.</summary>
    public bool HasSolution => Values.Count > 0;

    /// <summary>Gets a variable's value in the best solution.</summary>
    /// <param name="variable">The variable.</param>
    /// <returns>Its value.</returns>
    /// <exception cref="InvalidOperationException">No solution is available.</exception>
    public double Value(Variable variable) => HasSolution
        ? Values[variable.Index]
        : throw new InvalidOperationException($"The solve ended {Status} without a solution.");
}

/// <summary>Solves a mixed-integer linear program.</summary>
public interface ISolver
{
    /// <summary>Gets the solver's name and version, e.g. <c>CBC 2.10.8</c>.</summary>
    string Name { get; }

    /// <summary>Solves a model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="options">The limits and tolerances, or null for the defaults.</param>
    /// <returns>How the solve ended and the best solution found.</returns>
    /// <exception cref="SolverUnavailableException">The solver's native library cannot be loaded.</exception>
    SolverResult Solve(LinearModel model, SolverOptions? options = null);
}

/// <summary>The solver cannot be used: its native library is missing or broken. The message says how to fix it.</summary>
public sealed class SolverUnavailableException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public SolverUnavailableException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is missing and how to install it.</param>
    public SolverUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What is missing and how to install it.</param>
    /// <param name="inner">The cause.</param>
    public SolverUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>The solver ended without a usable answer (it failed, or a limit stopped it before any solution).</summary>
public sealed class SolverFailedException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public SolverFailedException()
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What failed.</param>
    public SolverFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="inner">The cause.</param>
    public SolverFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
