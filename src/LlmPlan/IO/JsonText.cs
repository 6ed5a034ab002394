using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmPlan.IO;

/// <summary>Writes JSON reports with <see cref="Utf8JsonWriter"/>: indented, keys in the order written, numbers rounded
/// to a fixed number of decimals, so the same inputs give the same bytes.</summary>
public static class JsonText
{
    /// <summary>Builds a JSON document by calling <paramref name="write"/> on an indented writer.</summary>
    /// <param name="write">Writes one JSON value.</param>
    /// <returns>The JSON text with a final newline.</returns>
    public static string Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" };
        using (var writer = new Utf8JsonWriter(stream, options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Writes a number rounded to <paramref name="decimals"/> decimals; a value that rounds to zero is written
    /// as 0, never -0 (a slack of −10⁻¹² is no different from one of +10⁻¹²).</summary>
    /// <param name="writer">The writer.</param>
    /// <param name="name">The key.</param>
    /// <param name="value">The number.</param>
    /// <param name="decimals">The decimals kept.</param>
    public static void Number(this Utf8JsonWriter writer, string name, double value, int decimals)
    {
        ArgumentNullException.ThrowIfNull(writer);
        double rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        writer.WriteNumber(name, rounded == 0 ? 0 : rounded);
    }
}
