using System.Globalization;
using System.Text;

namespace LlmPlan.IO.Svg;

/// <summary>Builds SVG text: one element a line, two-space indents, <c>\n</c> line ends, coordinates rounded to two
/// decimals with the invariant culture, all text escaped.</summary>
internal sealed class SvgDocument
{
    /// <summary>The assumed average glyph width of the sans-serif font, in ems: a little wide, so estimates err
    /// towards room to spare.</summary>
    public const double GlyphWidth = 0.62;

    private readonly StringBuilder _text = new();
    private int _depth;

    /// <summary>Starts a document of <paramref name="width"/> × <paramref name="height"/> pixels on a white
    /// background, with <paramref name="title"/> (if any) as its accessible title.</summary>
    public SvgDocument(int width, int height, string title)
    {
        _text.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        Raw(Invariant.Text($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">"));
        _depth = 1;
        if (title.Length > 0)
        {
            Raw("<title>" + Escape(title) + "</title>");
        }

        Raw(Invariant.Text($"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"));
    }

    /// <summary>A coordinate or length: rounded to two decimals, shortest invariant form, never <c>-0</c>.</summary>
    public static string N(double value)
    {
        double rounded = Math.Round(value, 2, MidpointRounding.AwayFromZero);
        return rounded == 0 ? "0" : rounded.ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>Escapes text for XML content and attributes (&amp; &lt; &gt; &quot; &apos;); line breaks and tabs
    /// become spaces and characters XML 1.0 forbids (other control characters, lone surrogates) become U+FFFD.</summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '"': escaped.Append("&quot;"); break;
                case '\'': escaped.Append("&apos;"); break;
                case '\n' or '\r' or '\t': escaped.Append(' '); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        escaped.Append(c).Append(text[i + 1]);
                        i++;
                    }
                    else
                    {
                        escaped.Append(c < 0x20 || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' ? '\uFFFD' : c);
                    }

                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>The estimated width of <paramref name="text"/> at <paramref name="fontSize"/> pixels.</summary>
    public static double TextWidth(string text, double fontSize) => text.Length * fontSize * GlyphWidth;

    /// <summary><paramref name="text"/> cut to at most <paramref name="maxChars"/> characters, ending in an ellipsis
    /// when cut.</summary>
    public static string Shorten(string text, int maxChars) =>
        text.Length <= maxChars ? text : text[..Math.Max(0, maxChars - 1)].TrimEnd() + "…";

    /// <summary>Writes one line as is, indented.</summary>
    public void Raw(string line)
    {
        _text.Append(' ', 2 * _depth).Append(line).Append('\n');
    }

    /// <summary>Opens a group with <paramref name="attributes"/> (raw, already escaped).</summary>
    public void Open(string attributes)
    {
        Raw(attributes.Length > 0 ? "<g " + attributes + ">" : "<g>");
        _depth++;
    }

    /// <summary>Closes the innermost group.</summary>
    public void Close()
    {
        _depth--;
        Raw("</g>");
    }

    /// <summary>A rectangle.</summary>
    public void Rect(double x, double y, double width, double height, string attributes) =>
        Raw($"<rect x=\"{N(x)}\" y=\"{N(y)}\" width=\"{N(width)}\" height=\"{N(height)}\"{Space(attributes)}/>");

    /// <summary>A straight line.</summary>
    public void Line(double x1, double y1, double x2, double y2, string attributes) =>
        Raw($"<line x1=\"{N(x1)}\" y1=\"{N(y1)}\" x2=\"{N(x2)}\" y2=\"{N(y2)}\"{Space(attributes)}/>");

    /// <summary>A circle.</summary>
    public void Circle(double cx, double cy, double r, string attributes) =>
        Raw($"<circle cx=\"{N(cx)}\" cy=\"{N(cy)}\" r=\"{N(r)}\"{Space(attributes)}/>");

    /// <summary>A polyline through <paramref name="points"/>.</summary>
    public void Polyline(IEnumerable<Pixel> points, string attributes) =>
        Raw($"<polyline points=\"{Points(points)}\"{Space(attributes)}/>");

    /// <summary>A closed polygon through <paramref name="points"/>.</summary>
    public void Polygon(IEnumerable<Pixel> points, string attributes) =>
        Raw($"<polygon points=\"{Points(points)}\"{Space(attributes)}/>");

    /// <summary>Text with its anchor point at (<paramref name="x"/>, <paramref name="y"/>) (the baseline).</summary>
    public void Text(double x, double y, string text, string attributes) =>
        Raw($"<text x=\"{N(x)}\" y=\"{N(y)}\"{Space(attributes)}>{Escape(text)}</text>");

    /// <summary>Text with a hover title (for text shortened to fit).</summary>
    public void Text(double x, double y, string text, string attributes, string tooltip)
    {
        if (tooltip == text)
        {
            Text(x, y, text, attributes);
            return;
        }

        Raw($"<text x=\"{N(x)}\" y=\"{N(y)}\"{Space(attributes)}><title>{Escape(tooltip)}</title>{Escape(text)}</text>");
    }

    /// <summary>Text rotated by <paramref name="degrees"/> about its anchor point.</summary>
    public void RotatedText(double x, double y, double degrees, string text, string attributes) =>
        Raw($"<text x=\"{N(x)}\" y=\"{N(y)}\" transform=\"rotate({N(degrees)} {N(x)} {N(y)})\"{Space(attributes)}>{Escape(text)}</text>");

    /// <summary>Closes the document and returns its text.</summary>
    public string Finish()
    {
        _depth = 0;
        Raw("</svg>");
        return _text.ToString();
    }

    private static string Space(string attributes) => attributes.Length > 0 ? " " + attributes : "";

    private static string Points(IEnumerable<Pixel> points) => string.Join(" ", points.Select(p => N(p.X) + "," + N(p.Y)));
}

/// <summary>A position in image pixels, y downward.</summary>
internal readonly record struct Pixel(double X, double Y);

/// <summary>A rectangle in image pixels.</summary>
internal readonly record struct PlotArea(double Left, double Top, double Right, double Bottom)
{
    public double Width => Right - Left;

    public double Height => Bottom - Top;

    public bool Contains(Pixel p) => p.X >= Left - 0.01 && p.X <= Right + 0.01 && p.Y >= Top - 0.01 && p.Y <= Bottom + 0.01;
}
