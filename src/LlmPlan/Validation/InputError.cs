namespace LlmPlan.Validation;

/// <summary>One problem with a user input: where it is, what is wrong and how to fix it.</summary>
/// <param name="Location">The file and the row, column or field, e.g. <c>gpu_pool.csv row 3, column 'count'</c> or <c>--tp</c>.</param>
/// <param name="Message">What is wrong and how to fix it, as one or two sentences.</param>
public sealed record InputError(string Location, string Message)
{
    /// <summary>Formats the error as <c>location: message</c>.</summary>
    /// <returns>The error as one line.</returns>
    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>Thrown when inputs are invalid; carries every error found, not just the first.</summary>
public sealed class InputValidationException : Exception
{
    /// <summary>Initializes a new instance with the errors found.</summary>
    /// <param name="errors">The errors; at least one.</param>
    public InputValidationException(IReadOnlyList<InputError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        Errors = errors;
    }

    /// <summary>Gets the errors, in the order they were found.</summary>
    public IReadOnlyList<InputError> Errors { get; }
}

/// <summary>Collects input errors while a reader goes on checking the rest of its input.</summary>
public sealed class InputErrors
{
    private readonly List<InputError> _errors = [];

    /// <summary>Gets the errors collected so far.</summary>
    public IReadOnlyList<InputError> All => _errors;

    /// <summary>Gets a value indicating whether any error was collected.</summary>
    public bool Any => _errors.Count > 0;

    /// <summary>Records an error.</summary>
    /// <param name="location">Where the problem is.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    public void Add(string location, string message) => _errors.Add(new InputError(location, message));

    /// <summary>Records several errors.</summary>
    /// <param name="errors">The errors.</param>
    public void AddRange(IEnumerable<InputError> errors) => _errors.AddRange(errors);

    /// <summary>Throws an <see cref="InputValidationException"/> holding every collected error, if there is any.</summary>
    /// <exception cref="InputValidationException">At least one error was collected.</exception>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new InputValidationException([.. _errors]);
        }
    }
}
