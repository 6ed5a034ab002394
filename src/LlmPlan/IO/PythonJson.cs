using System.Globalization;
using System.Text;

namespace LlmPlan.IO;

/// <summary>Writes JSON byte-identical to Python's <c>json.dump(value, indent=n)</c> (ensure_ascii on): floats as
/// <c>repr</c> (the shortest text that reads back as the same double: <c>2.0</c>, <c>0.0001</c>, <c>1e-05</c>), so that
/// files shared with Python tools compare equal as text. Build a value from <see cref="Object"/>, <see cref="Array"/>,
/// <see cref="Float"/>, <see cref="Integer"/> and <see cref="String"/>, then call <see cref="Dump"/>.</summary>
internal static class PythonJson
{
    /// <summary>A JSON value.</summary>
    public abstract record Value;

    /// <summary>Python's <c>repr</c> of a finite double, as a JSON number.</summary>
    public static Value Float(double value) => new Token(Repr(value));

    /// <summary>An integer.</summary>
    public static Value Integer(long value) => new Token(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A string, escaped as Python's <c>json</c> does with ensure_ascii.</summary>
    public static Value String(string value) => new Token(Quote(value));

    /// <summary>An object whose keys keep the order given.</summary>
    public static Value Object(params IEnumerable<(string Key, Value Value)> members) => new Members([.. members]);

    /// <summary>An array.</summary>
    public static Value Array(IEnumerable<Value> items) => new Items([.. items]);

    /// <summary>The text of a value, with one level of <paramref name="indent"/> spaces per nesting and a final newline.</summary>
    public static string Dump(Value value, int indent)
    {
        var text = new StringBuilder();
        Write(text, value, indent, 0);
        return text.Append('\n').ToString();
    }

    /// <summary>Python's <c>repr(float)</c>.</summary>
    public static string Repr(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or infinity.");
        }

        // .NET's "R" is also the shortest round-trip text; take its digits and the position of the decimal point
        // (value = 0.d1d2…dn × 10^point) and lay them out as Python does: scientific when point < -3 or point > 16.
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E', StringComparison.Ordinal);
        string mantissa = e < 0 ? r : r[..e];
        int exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);
        int point = (dot < 0 ? mantissa.Length : dot) + exponent - (digits.Length - digits.TrimStart('0').Length);
        digits = digits.Trim('0');
        if (digits.Length == 0)
        {
            (digits, point) = ("0", 1);
        }

        var text = new StringBuilder(double.IsNegative(value) ? "-" : string.Empty);
        if (point < -3 || point > 16)
        {
            text.Append(digits[0]);
            if (digits.Length > 1)
            {
                text.Append('.').Append(digits, 1, digits.Length - 1);
            }

            int power = point - 1;
            text.Append(power < 0 ? "e-" : "e+").Append(Math.Abs(power).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (point <= 0)
        {
            text.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point < digits.Length)
        {
            text.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }
        else
        {
            text.Append(digits).Append('0', point - digits.Length).Append(".0");
        }

        return text.ToString();
    }

    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (char c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                < ' ' or > '~' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }

    private static void Write(StringBuilder text, Value value, int indent, int depth)
    {
        switch (value)
        {
            case Token token:
                text.Append(token.Text);
                break;
            case Members { List.Count: > 0 } members:
                Nested(text, '{', '}', members.List, (t, m) => Write(t.Append(Quote(m.Key)).Append(": "), m.Value, indent, depth + 1), indent, depth);
                break;
            case Items { List.Count: > 0 } items:
                Nested(text, '[', ']', items.List, (t, v) => Write(t, v, indent, depth + 1), indent, depth);
                break;
            case Members:
                text.Append("{}");
                break;
            default:
                text.Append("[]");
                break;
        }
    }

    private static void Nested<T>(StringBuilder text, char open, char close, IReadOnlyList<T> list, Action<StringBuilder, T> item, int indent, int depth)
    {
        string inner = "\n" + new string(' ', indent * (depth + 1));
        text.Append(open);
        for (int n = 0; n < list.Count; n++)
        {
            text.Append(n == 0 ? inner : "," + inner);
            item(text, list[n]);
        }

        text.Append('\n').Append(' ', indent * depth).Append(close);
    }

    private sealed record Token(string Text) : Value;

    private sealed record Members(IReadOnlyList<(string Key, Value Value)> List) : Value;

    private sealed record Items(IReadOnlyList<Value> List) : Value;
}
