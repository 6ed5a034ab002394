using LlmPlan.Validation;

namespace LlmPlan.IO.Seed;

/// <summary>The <c>parameter,value</c> rows of a seed <c>config.csv</c> with typed, error-collecting accessors.</summary>
/// <remarks>Implementation note: an accessor that fails records the error and returns a placeholder value; the reader
/// returns no config once any error is recorded, so a placeholder never escapes.</remarks>
internal sealed class SeedConfigValues
{
    private readonly Dictionary<string, (string Text, int Line)> _rows = new(StringComparer.Ordinal);
    private readonly string _file;
    private readonly InputErrors _errors;

    /// <summary>Initializes a new instance, reporting empty and duplicate keys.</summary>
    public SeedConfigValues(CsvTable table, InputErrors errors)
    {
        _file = table.Name;
        _errors = errors;
        foreach (CsvRow row in table.Rows)
        {
            string key = row.Text("parameter");
            if (key.Length == 0)
            {
                errors.Add(row.Where("parameter"), "the parameter name is empty. Write each row as parameter,value.");
            }
            else if (_rows.TryGetValue(key, out (string Text, int Line) first))
            {
                errors.Add(Invariant.Text($"{_file} line {row.Line}, key '{key}'"), Invariant.Text($"the key is listed twice (first on line {first.Line}). Keep one row per key."));
            }
            else
            {
                _rows[key] = (row.Text("value"), row.Line);
            }
        }
    }

    /// <summary>Whether the key has a row.</summary>
    public bool Has(string key) => _rows.ContainsKey(key);

    /// <summary>The location of a key's row for error messages.</summary>
    public string Where(string key) => Invariant.Text($"{_file} line {_rows[key].Line}, key '{key}'");

    /// <summary>Records an error at a key's row.</summary>
    public void Error(string key, string message) => _errors.Add(Where(key), message);

    /// <summary>A required text value.</summary>
    public string Text(string key, string placeholder)
    {
        if (!Present(key, placeholder))
        {
            return string.Empty;
        }

        string text = _rows[key].Text;
        if (text.Length == 0)
        {
            Error(key, "the value is empty. Fill it in.");
        }

        return text;
    }

    /// <summary>An optional text value; null when the key is absent.</summary>
    public string? OptionalText(string key) => _rows.TryGetValue(key, out (string Text, int Line) row) ? row.Text : null;

    /// <summary>A required whole number of at least <paramref name="minimum"/>.</summary>
    public int Integer(string key, string placeholder, int minimum) =>
        Present(key, placeholder) ? ValueParsing.Integer(_rows[key].Text, Where(key), _errors, minimum) ?? 0 : 0;

    /// <summary>An optional whole number of at least <paramref name="minimum"/>; null when the key is absent.</summary>
    public int? OptionalInteger(string key, int minimum) =>
        Has(key) ? ValueParsing.Integer(_rows[key].Text, Where(key), _errors, minimum) ?? 0 : null;

    /// <summary>An optional whole number with a default.</summary>
    public int Integer(string key, int defaultValue, int minimum) => OptionalInteger(key, minimum) ?? defaultValue;

    /// <summary>A required number in a range.</summary>
    public double Number(string key, string placeholder, double minimum, bool exclusiveMinimum = false, double maximum = double.PositiveInfinity) =>
        Present(key, placeholder) ? ParseNumber(key, minimum, exclusiveMinimum, maximum) : 0;

    /// <summary>An optional number in a range; null when the key is absent.</summary>
    public double? OptionalNumber(string key, double minimum, bool exclusiveMinimum = false, double maximum = double.PositiveInfinity) =>
        Has(key) ? ParseNumber(key, minimum, exclusiveMinimum, maximum) : null;

    /// <summary>An optional number in a range, with a default.</summary>
    public double Number(string key, double defaultValue, double minimum, bool exclusiveMinimum = false, double maximum = double.PositiveInfinity) =>
        OptionalNumber(key, minimum, exclusiveMinimum, maximum) ?? defaultValue;

    /// <summary>A required fraction in [0, 1].</summary>
    public double Fraction(string key, string placeholder) => Number(key, placeholder, 0, maximum: 1);

    /// <summary>An optional fraction in [0, 1] with a default.</summary>
    public double Fraction(string key, double defaultValue) => Number(key, defaultValue, 0, maximum: 1);

    /// <summary>A required boolean.</summary>
    public bool Boolean(string key, string placeholder) =>
        Present(key, placeholder) && (ValueParsing.Boolean(_rows[key].Text, Where(key), _errors) ?? false);

    /// <summary>An optional boolean with a default.</summary>
    public bool Boolean(string key, bool defaultValue) =>
        Has(key) ? ValueParsing.Boolean(_rows[key].Text, Where(key), _errors) ?? false : defaultValue;

    /// <summary>Reports a missing key with the row to add.</summary>
    public void Missing(string key, string placeholder, string alternative = "") =>
        _errors.Add(_file, $"key '{key}' is missing; add a row '{key},{placeholder}'{alternative}.");

    private bool Present(string key, string placeholder)
    {
        if (Has(key))
        {
            return true;
        }

        Missing(key, placeholder);
        return false;
    }

    private double ParseNumber(string key, double minimum, bool exclusiveMinimum, double maximum) =>
        ValueParsing.Number(_rows[key].Text, Where(key), _errors, minimum, exclusiveMinimum, maximum) ?? 0;
}
