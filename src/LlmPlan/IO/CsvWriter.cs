using System.Globalization;

namespace LlmPlan.IO;

/// <summary>Writes CSV: one escaping rule (RFC 4180), invariant numbers, <c>\n</c> line ends.</summary>
public sealed class CsvWriter
{
    private readonly TextWriter _writer;

    /// <summary>Initializes a new instance that writes to <paramref name="writer"/>.</summary>
    /// <param name="writer">The destination.</param>
    public CsvWriter(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <summary>Escapes one cell: quoted when it holds a comma, quote or line break; quotes doubled.</summary>
    /// <param name="cell">The cell text.</param>
    /// <returns>The escaped cell.</returns>
    public static string Escape(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }

    /// <summary>Formats a number for a cell: rounded to <paramref name="decimals"/> decimals, shortest form.</summary>
    /// <param name="value">The number.</param>
    /// <param name="decimals">The decimals kept.</param>
    /// <returns>The text.</returns>
    public static string Number(double value, int decimals) =>
        Math.Round(value, decimals, MidpointRounding.AwayFromZero).ToString("0.############", CultureInfo.InvariantCulture);

    /// <summary>Writes one row.</summary>
    /// <param name="cells">The cells, unescaped.</param>
    public void WriteRow(IEnumerable<string> cells)
    {
        _writer.Write(string.Join(",", cells.Select(Escape)));
        _writer.Write('\n');
    }
}
