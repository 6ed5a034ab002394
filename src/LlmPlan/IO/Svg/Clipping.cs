namespace LlmPlan.IO.Svg;

/// <summary>Clips lines and polygons to the plot area, so nothing is drawn outside it without SVG clip paths (whose
/// ids would clash when several charts share a page).</summary>
internal static class Clipping
{
    /// <summary>The visible pieces of the polyline through <paramref name="points"/> (Liang–Barsky per segment;
    /// consecutive visible segments are joined).</summary>
    public static List<List<Pixel>> Polyline(IReadOnlyList<Pixel> points, PlotArea area)
    {
        var pieces = new List<List<Pixel>>();
        List<Pixel>? current = null;
        for (int i = 0; i + 1 < points.Count; i++)
        {
            if (Segment(points[i], points[i + 1], area) is not { } visible)
            {
                current = null;
                continue;
            }

            if (current is not null && current[^1] == visible.From)
            {
                current.Add(visible.To);
            }
            else
            {
                current = [visible.From, visible.To];
                pieces.Add(current);
            }

            if (visible.To != points[i + 1])
            {
                current = null;
            }
        }

        return pieces;
    }

    /// <summary>The polygon through <paramref name="points"/> clipped to <paramref name="area"/>
    /// (Sutherland–Hodgman); empty when nothing is left.</summary>
    public static List<Pixel> Polygon(IReadOnlyList<Pixel> points, PlotArea area)
    {
        List<Pixel> result = [.. points];
        result = ClipEdge(result, p => p.X >= area.Left, (a, b) => AtX(a, b, area.Left));
        result = ClipEdge(result, p => p.X <= area.Right, (a, b) => AtX(a, b, area.Right));
        result = ClipEdge(result, p => p.Y >= area.Top, (a, b) => AtY(a, b, area.Top));
        result = ClipEdge(result, p => p.Y <= area.Bottom, (a, b) => AtY(a, b, area.Bottom));
        return result.Count >= 3 ? result : [];
    }

    private static (Pixel From, Pixel To)? Segment(Pixel a, Pixel b, PlotArea area)
    {
        double dx = b.X - a.X;
        double dy = b.Y - a.Y;
        double t0 = 0;
        double t1 = 1;
        (double P, double Q)[] edges =
        [
            (-dx, a.X - area.Left), (dx, area.Right - a.X), (-dy, a.Y - area.Top), (dy, area.Bottom - a.Y),
        ];
        foreach ((double p, double q) in edges)
        {
            if (p == 0)
            {
                if (q < 0)
                {
                    return null;
                }

                continue;
            }

            double t = q / p;
            if (p < 0)
            {
                t0 = Math.Max(t0, t);
            }
            else
            {
                t1 = Math.Min(t1, t);
            }

            if (t0 > t1)
            {
                return null;
            }
        }

        Pixel from = t0 == 0 ? a : new Pixel(a.X + (t0 * dx), a.Y + (t0 * dy));
        Pixel to = t1 == 1 ? b : new Pixel(a.X + (t1 * dx), a.Y + (t1 * dy));
        return (from, to);
    }

    private static List<Pixel> ClipEdge(List<Pixel> points, Func<Pixel, bool> inside, Func<Pixel, Pixel, Pixel> cross)
    {
        var output = new List<Pixel>();
        for (int i = 0; i < points.Count; i++)
        {
            Pixel current = points[i];
            Pixel previous = points[(i + points.Count - 1) % points.Count];
            bool currentIn = inside(current);
            if (currentIn != inside(previous))
            {
                output.Add(cross(previous, current));
            }

            if (currentIn)
            {
                output.Add(current);
            }
        }

        return output;
    }

    private static Pixel AtX(Pixel a, Pixel b, double x) => new(x, a.Y + ((b.Y - a.Y) * (x - a.X) / (b.X - a.X)));

    private static Pixel AtY(Pixel a, Pixel b, double y) => new(a.X + ((b.X - a.X) * (y - a.Y) / (b.Y - a.Y)), y);
}
