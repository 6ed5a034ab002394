namespace LlmPlan.IO.Svg;

/// <summary>Category labels shared by the heatmap and the stacked bars.</summary>
public static partial class SvgChartWriter
{
    private const int CategoryMaxChars = 24;

    /// <summary>How the labels of categories <paramref name="slot"/> pixels apart are set: horizontal when the widest
    /// fits its slot, else rotated by 45°; every <c>Every</c>-th label when even rotated ones would collide.
    /// <c>Depth</c> is the room they take below the axis, <c>Reach</c> how far left of its slot's centre a rotated
    /// label reaches (the first one must not leave the image).</summary>
    private static CategoryLabels CategoryLayout(IReadOnlyList<string> labels, double slot)
    {
        double widest = labels.Select(l => SvgDocument.TextWidth(SvgDocument.Shorten(l, CategoryMaxChars), TickFontSize)).DefaultIfEmpty(0).Max();
        if (widest <= slot - 6)
        {
            return new CategoryLabels(false, 1, 18, 0);
        }

        // Rotated labels stand 45° apart in their slots; they need about 1.5 × the font size between anchors.
        int every = Math.Max(1, (int)Math.Ceiling(TickFontSize * 1.5 / Math.Max(slot, 0.01)));
        return new CategoryLabels(true, every, (widest * Math.Sqrt(0.5)) + 18, (widest * Math.Sqrt(0.5)) - 4);
    }

    /// <summary>The left margin that keeps the first rotated label inside the image: at least <paramref name="left"/>.</summary>
    private static double LeftForLabels(double left, CategoryLabels layout, double slot) =>
        layout.Rotate ? Math.Max(left, layout.Reach - (slot / 2) + 6) : left;

    private static void WriteCategoryLabels(SvgDocument svg, IReadOnlyList<string> labels, Func<int, double> center, double axisY, CategoryLabels layout)
    {
        svg.Open($"font-size=\"{SvgDocument.N(TickFontSize)}\" fill=\"{AxisColor}\"");
        for (int i = 0; i < labels.Count; i += layout.Every)
        {
            string shown = SvgDocument.Shorten(labels[i], CategoryMaxChars);
            if (layout.Rotate)
            {
                double x = center(i) + 4;
                double y = axisY + 12;
                svg.RotatedText(x, y, -45, shown, "text-anchor=\"end\"");
            }
            else
            {
                svg.Text(center(i), axisY + 18, shown, "text-anchor=\"middle\"", labels[i]);
            }
        }

        svg.Close();
    }
}

/// <summary>How category labels are set (see <c>SvgChartWriter.CategoryLayout</c>).</summary>
internal readonly record struct CategoryLabels(bool Rotate, int Every, double Depth, double Reach);
