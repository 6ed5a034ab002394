using System.Globalization;
using System.Text;
using LlmPlan.Validation;

namespace LlmPlan.IO;

/// <summary>A CSV file read into memory: a header and rows, each row remembering its line number for error messages.</summary>
/// <remarks>RFC 4180: comma-separated, fields may be double-quoted, a quote inside quotes is doubled, and quoted fields may
/// span lines. Blank lines are skipped. Cells are trimmed.</remarks>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columnIndex;

    private CsvTable(string name, IReadOnlyList<string> header, IReadOnlyList<CsvRow> rows)
    {
        Name = name;
        Header = header;
        Rows = rows;
        _columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Count; i++)
        {
            _columnIndex.TryAdd(header[i], i);
        }
    }

    /// <summary>Gets the name used in error messages (usually the file name).</summary>
    public string Name { get; }

    /// <summary>Gets the header cells.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Gets the data rows.</summary>
    public IReadOnlyList<CsvRow> Rows { get; }

    /// <summary>Gets the index of a column, or -1 when the header lacks it.</summary>
    /// <param name="column">The column name, matched exactly.</param>
    /// <returns>The zero-based index or -1.</returns>
    public int IndexOf(string column) => _columnIndex.TryGetValue(column, out int index) ? index : -1;

    /// <summary>Parses CSV text.</summary>
    /// <param name="name">The name used in error messages.</param>
    /// <param name="text">The CSV text.</param>
    /// <param name="errors">Collects structural errors (an unterminated quote, an empty file).</param>
    /// <returns>The table; empty when the text has no header.</returns>
    public static CsvTable Parse(string name, string text, InputErrors errors)
    {
        var records = new List<(int Line, List<string> Cells)>();
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool inQuotes = false;
        bool cellWasQuoted = false;
        int line = 1;
        int recordLine = 1;

        void EndCell()
        {
            cells.Add(cellWasQuoted ? cell.ToString() : cell.ToString().Trim());
            cell.Clear();
            cellWasQuoted = false;
        }

        void EndRecord()
        {
            EndCell();
            if (cells.Count > 1 || cells[0].Length > 0)
            {
                records.Add((recordLine, cells));
            }

            cells = [];
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                    }

                    cell.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when cell.ToString().Trim().Length == 0:
                    cell.Clear();
                    inQuotes = true;
                    cellWasQuoted = true;
                    break;
                case ',':
                    EndCell();
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    line++;
                    recordLine = line;
                    break;
                default:
                    cell.Append(c);
                    break;
            }
        }

        if (inQuotes)
        {
            errors.Add($"{name} line {recordLine}", "a quoted field is never closed. Add the closing double quote.");
        }

        EndRecord();
        if (records.Count == 0)
        {
            errors.Add(name, "the file is empty; it needs a header row. See docs/formats.md.");
            return new CsvTable(name, [], []);
        }

        // A UTF-8 byte-order mark is not part of the first column name.
        List<string> header = records[0].Cells;
        header[0] = header[0].TrimStart('\uFEFF');
        var rows = records.Skip(1).Select(r => new CsvRow(name, r.Line, r.Cells, header)).ToList();
        return new CsvTable(name, header, rows);
    }

    /// <summary>Reads and parses a CSV file.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="errors">Collects the errors; a missing file is one.</param>
    /// <returns>The table, or null when the file cannot be read.</returns>
    public static CsvTable? Read(string path, InputErrors errors)
    {
        string name = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            errors.Add(path, "the file does not exist. Check the path.");
            return null;
        }

        return Parse(name, File.ReadAllText(path), errors);
    }

    /// <summary>Checks that the header has every required column; reports each missing one.</summary>
    /// <param name="required">The required column names.</param>
    /// <param name="errors">Collects the errors.</param>
    /// <returns>True when every column is present.</returns>
    public bool RequireColumns(IEnumerable<string> required, InputErrors errors)
    {
        bool ok = true;
        foreach (string column in required)
        {
            if (IndexOf(column) < 0)
            {
                errors.Add($"{Name} header", $"column '{column}' is missing. The header must be: {string.Join(",", required)}.");
                ok = false;
            }
        }

        return ok;
    }
}

/// <summary>One data row of a <see cref="CsvTable"/> with typed, error-collecting accessors.</summary>
public sealed class CsvRow
{
    private readonly IReadOnlyList<string> _cells;
    private readonly IReadOnlyList<string> _header;

    internal CsvRow(string file, int line, IReadOnlyList<string> cells, IReadOnlyList<string> header)
    {
        File = file;
        Line = line;
        _cells = cells;
        _header = header;
    }

    /// <summary>Gets the file name used in error messages.</summary>
    public string File { get; }

    /// <summary>Gets the 1-based line number of the row in the file.</summary>
    public int Line { get; }

    /// <summary>Gets the number of cells in this row.</summary>
    public int CellCount => _cells.Count;

    /// <summary>Gets the location text for a column of this row.</summary>
    /// <param name="column">The column name.</param>
    /// <returns>For example <c>gpus.csv line 4, column 'memory_gib'</c>.</returns>
    public string Where(string column) => $"{File} line {Line}, column '{column}'";

    /// <summary>Gets the raw text of a column, or an empty string when the row or header lacks it.</summary>
    /// <param name="column">The column name.</param>
    /// <returns>The trimmed cell text.</returns>
    public string Text(string column)
    {
        for (int i = 0; i < _header.Count; i++)
        {
            if (string.Equals(_header[i], column, StringComparison.Ordinal))
            {
                return i < _cells.Count ? _cells[i] : string.Empty;
            }
        }

        return string.Empty;
    }

    /// <summary>Gets the cell at a position, or an empty string.</summary>
    /// <param name="index">The zero-based cell index.</param>
    /// <returns>The cell text.</returns>
    public string At(int index) => index < _cells.Count ? _cells[index] : string.Empty;

    /// <summary>Reads a required text cell.</summary>
    /// <param name="column">The column name.</param>
    /// <param name="errors">Collects the error when the cell is empty.</param>
    /// <returns>The text, or null when empty.</returns>
    public string? RequiredText(string column, InputErrors errors)
    {
        string text = Text(column);
        if (text.Length == 0)
        {
            errors.Add(Where(column), "the value is empty. Fill it in.");
            return null;
        }

        return text;
    }

    /// <summary>Reads a finite number, optionally bounded below.</summary>
    /// <param name="column">The column name.</param>
    /// <param name="errors">Collects the error.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <param name="exclusiveMinimum">Whether the minimum itself is excluded.</param>
    /// <returns>The number, or null when missing or invalid.</returns>
    public double? Number(string column, InputErrors errors, double minimum = double.NegativeInfinity, bool exclusiveMinimum = false)
    {
        string text = Text(column);
        return ValueParsing.Number(text, Where(column), errors, minimum, exclusiveMinimum);
    }

    /// <summary>Reads an optional finite number; an empty cell gives null without an error.</summary>
    /// <param name="column">The column name.</param>
    /// <param name="errors">Collects the error.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <param name="exclusiveMinimum">Whether the minimum itself is excluded.</param>
    /// <returns>The number, or null.</returns>
    public double? OptionalNumber(string column, InputErrors errors, double minimum = double.NegativeInfinity, bool exclusiveMinimum = false) =>
        Text(column).Length == 0 ? null : Number(column, errors, minimum, exclusiveMinimum);

    /// <summary>Reads an integer with an inclusive minimum.</summary>
    /// <param name="column">The column name.</param>
    /// <param name="errors">Collects the error.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <returns>The integer, or null when missing or invalid.</returns>
    public int? Integer(string column, InputErrors errors, int minimum = int.MinValue) =>
        ValueParsing.Integer(Text(column), Where(column), errors, minimum);

    /// <summary>Reads a boolean (<c>true</c>/<c>false</c>, case-insensitive).</summary>
    /// <param name="column">The column name.</param>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The value, or null when missing or invalid.</returns>
    public bool? Boolean(string column, InputErrors errors) => ValueParsing.Boolean(Text(column), Where(column), errors);

    /// <summary>Reads one of a fixed set of words (exact, lower case), or records an error listing them.</summary>
    /// <typeparam name="T">The value type the words stand for.</typeparam>
    /// <param name="column">The column name.</param>
    /// <param name="choices">Each allowed word with its value and what it means, in the order the error lists them.</param>
    /// <param name="what">What the column holds, for the error ("an MLP kind").</param>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The value, or null when the word is not allowed.</returns>
    public T? Choice<T>(string column, IReadOnlyList<(string Word, T Value, string Meaning)> choices, string what, InputErrors errors)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(choices);
        ArgumentNullException.ThrowIfNull(errors);
        string text = Text(column);
        foreach (var (word, value, _) in choices)
        {
            if (string.Equals(word, text, StringComparison.Ordinal))
            {
                return value;
            }
        }

        errors.Add(Where(column), $"'{text}' is not {what}. Write {string.Join(" or ", choices.Select(c => $"{c.Word} ({c.Meaning})"))}.");
        return null;
    }

    /// <summary>Reads an ISO date (yyyy-MM-dd).</summary>
    /// <param name="column">The column name.</param>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The date, or null when missing or invalid.</returns>
    public DateOnly? Date(string column, InputErrors errors)
    {
        string text = Text(column);
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
        {
            return date;
        }

        errors.Add(Where(column), $"'{text}' is not a date. Write it as yyyy-MM-dd, e.g. 2026-01-21.");
        return null;
    }
}
