namespace LlmPlan.Optimization;

/// <summary>What values a variable may take.</summary>
public enum VariableKind
{
    /// <summary>Any real value between its bounds.</summary>
    Continuous,

    /// <summary>Any integer between its bounds.</summary>
    Integer,

    /// <summary>0 or 1.</summary>
    Binary,
}

/// <summary>Whether the objective is minimised or maximised.</summary>
public enum ObjectiveSense
{
    /// <summary>Minimise the objective.</summary>
    Minimize,

    /// <summary>Maximise the objective.</summary>
    Maximize,
}

/// <summary>A variable of a <see cref="LinearModel"/>: its position among the model's columns.</summary>
/// <param name="Index">The 0-based column index.</param>
public readonly record struct Variable(int Index)
{
    /// <summary>Multiplies a variable by a coefficient.</summary>
    /// <param name="coefficient">The coefficient.</param>
    /// <param name="variable">The variable.</param>
    /// <returns>The term.</returns>
    public static LinearTerm operator *(double coefficient, Variable variable) => new(variable, coefficient);

    /// <summary>Multiplies a variable by a coefficient.</summary>
    /// <param name="variable">The variable.</param>
    /// <param name="coefficient">The coefficient.</param>
    /// <returns>The term.</returns>
    public static LinearTerm operator *(Variable variable, double coefficient) => new(variable, coefficient);

    /// <summary>Gets the variable as a term with coefficient 1.</summary>
    /// <returns>The term.</returns>
    public LinearTerm AsTerm() => new(this, 1);
}

/// <summary>One term of a linear expression: a coefficient times a variable.</summary>
/// <param name="Variable">The variable.</param>
/// <param name="Coefficient">The coefficient.</param>
public readonly record struct LinearTerm(Variable Variable, double Coefficient);

/// <summary>A variable's definition.</summary>
/// <param name="Name">Its name, for messages and model dumps.</param>
/// <param name="Lower">Its lower bound (may be negative infinity).</param>
/// <param name="Upper">Its upper bound (may be positive infinity).</param>
/// <param name="Kind">Continuous, integer or binary.</param>
/// <param name="Objective">Its objective coefficient.</param>
public sealed record VariableDefinition(string Name, double Lower, double Upper, VariableKind Kind, double Objective);

/// <summary>A linear constraint <c>Lower ≤ Σ coefficient·variable ≤ Upper</c>.</summary>
/// <param name="Name">Its name, for messages (e.g. which constraint binds).</param>
/// <param name="Terms">The terms; each variable at most once.</param>
/// <param name="Lower">The lower bound (may be negative infinity).</param>
/// <param name="Upper">The upper bound (may be positive infinity).</param>
public sealed record ConstraintDefinition(string Name, IReadOnlyList<LinearTerm> Terms, double Lower, double Upper);

/// <summary>A mixed-integer linear program under construction: variables with bounds and integrality, named linear
/// constraints and a linear objective. Solve it with an <see cref="ISolver"/>.</summary>
/// <remarks>The builder is the one mutable type of this namespace: planners build a model, then hand it to a solver,
/// which reads it once.</remarks>
public sealed class LinearModel
{
    private readonly List<VariableDefinition> _variables = [];
    private readonly List<ConstraintDefinition> _constraints = [];

    /// <summary>Initializes a new, empty model that minimises.</summary>
    /// <param name="name">The model's name, for messages.</param>
    public LinearModel(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>Gets the model's name.</summary>
    public string Name { get; }

    /// <summary>Gets whether the objective is minimised or maximised.</summary>
    public ObjectiveSense Sense { get; private set; } = ObjectiveSense.Minimize;

    /// <summary>Gets the constant added to the objective.</summary>
    public double ObjectiveConstant { get; private set; }

    /// <summary>Gets the variables, in column order.</summary>
    public IReadOnlyList<VariableDefinition> Variables => _variables;

    /// <summary>Gets the constraints, in row order.</summary>
    public IReadOnlyList<ConstraintDefinition> Constraints => _constraints;

    /// <summary>Gets a value indicating whether any variable is integer or binary.</summary>
    public bool HasIntegers => _variables.Exists(v => v.Kind != VariableKind.Continuous);

    /// <summary>Adds a variable.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="lower">Its lower bound.</param>
    /// <param name="upper">Its upper bound.</param>
    /// <param name="kind">Its kind; binary variables get the bounds 0 and 1.</param>
    /// <param name="objective">Its objective coefficient.</param>
    /// <returns>The variable.</returns>
    public Variable AddVariable(string name, double lower, double upper, VariableKind kind = VariableKind.Continuous, double objective = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (double.IsNaN(lower) || double.IsNaN(upper) || double.IsPositiveInfinity(lower) || double.IsNegativeInfinity(upper))
        {
            throw new ArgumentException($"Variable {name}: bounds [{lower}, {upper}] are not valid.", nameof(lower));
        }

        CheckFinite(objective, $"the objective coefficient of {name}");
        if (kind == VariableKind.Binary)
        {
            lower = Math.Max(0, lower);
            upper = Math.Min(1, upper);
        }

        _variables.Add(new VariableDefinition(name, lower, upper, kind, objective));
        return new Variable(_variables.Count - 1);
    }

    /// <summary>Adds an integer variable.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="lower">Its lower bound.</param>
    /// <param name="upper">Its upper bound.</param>
    /// <param name="objective">Its objective coefficient.</param>
    /// <returns>The variable.</returns>
    public Variable AddInteger(string name, double lower, double upper, double objective = 0) => AddVariable(name, lower, upper, VariableKind.Integer, objective);

    /// <summary>Adds a binary variable.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="objective">Its objective coefficient.</param>
    /// <returns>The variable.</returns>
    public Variable AddBinary(string name, double objective = 0) => AddVariable(name, 0, 1, VariableKind.Binary, objective);

    /// <summary>Sets the objective's sense and constant.</summary>
    /// <param name="sense">Minimise or maximise.</param>
    /// <param name="constant">A constant added to the objective.</param>
    public void SetObjectiveSense(ObjectiveSense sense, double constant = 0)
    {
        CheckFinite(constant, "the objective constant");
        Sense = sense;
        ObjectiveConstant = constant;
    }

    /// <summary>Adds <c>lower ≤ Σ terms ≤ upper</c>; terms on the same variable are merged.</summary>
    /// <param name="name">The constraint's name.</param>
    /// <param name="terms">The terms.</param>
    /// <param name="lower">The lower bound (negative infinity for none).</param>
    /// <param name="upper">The upper bound (positive infinity for none).</param>
    /// <returns>The constraint's row index.</returns>
    public int AddConstraint(string name, IEnumerable<LinearTerm> terms, double lower, double upper)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(terms);
        if (double.IsNaN(lower) || double.IsNaN(upper) || double.IsPositiveInfinity(lower) || double.IsNegativeInfinity(upper))
        {
            throw new ArgumentException($"Constraint {name}: bounds [{lower}, {upper}] are not valid.", nameof(lower));
        }

        var merged = new List<LinearTerm>();
        var position = new Dictionary<int, int>();
        foreach (LinearTerm term in terms)
        {
            CheckVariable(term.Variable);
            CheckFinite(term.Coefficient, $"a coefficient of constraint {name}");
            if (position.TryGetValue(term.Variable.Index, out int at))
            {
                merged[at] = merged[at] with { Coefficient = merged[at].Coefficient + term.Coefficient };
            }
            else
            {
                position[term.Variable.Index] = merged.Count;
                merged.Add(term);
            }
        }

        _constraints.Add(new ConstraintDefinition(name, merged.Where(t => t.Coefficient != 0).ToArray(), lower, upper));
        return _constraints.Count - 1;
    }

    /// <summary>Adds <c>Σ terms ≤ rhs</c>.</summary>
    /// <param name="name">The constraint's name.</param>
    /// <param name="terms">The terms.</param>
    /// <param name="rhs">The right-hand side.</param>
    /// <returns>The constraint's row index.</returns>
    public int AddLessOrEqual(string name, IEnumerable<LinearTerm> terms, double rhs) => AddConstraint(name, terms, double.NegativeInfinity, rhs);

    /// <summary>Adds <c>Σ terms ≥ rhs</c>.</summary>
    /// <param name="name">The constraint's name.</param>
    /// <param name="terms">The terms.</param>
    /// <param name="rhs">The right-hand side.</param>
    /// <returns>The constraint's row index.</returns>
    public int AddGreaterOrEqual(string name, IEnumerable<LinearTerm> terms, double rhs) => AddConstraint(name, terms, rhs, double.PositiveInfinity);

    /// <summary>Adds <c>Σ terms = rhs</c>.</summary>
    /// <param name="name">The constraint's name.</param>
    /// <param name="terms">The terms.</param>
    /// <param name="rhs">The right-hand side.</param>
    /// <returns>The constraint's row index.</returns>
    public int AddEqual(string name, IEnumerable<LinearTerm> terms, double rhs) => AddConstraint(name, terms, rhs, rhs);

    /// <summary>Evaluates the objective at given variable values.</summary>
    /// <param name="values">One value per variable.</param>
    /// <returns>The objective value, constant included.</returns>
    public double ObjectiveAt(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double sum = ObjectiveConstant;
        for (int i = 0; i < _variables.Count; i++)
        {
            sum += _variables[i].Objective * values[i];
        }

        return sum;
    }

    private static void CheckFinite(double value, string what)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"{what} must be a finite number, not {value}.");
        }
    }

    private void CheckVariable(Variable variable)
    {
        if ((uint)variable.Index >= (uint)_variables.Count)
        {
            throw new ArgumentException($"Variable {variable.Index} does not belong to model {Name}.", nameof(variable));
        }
    }
}
