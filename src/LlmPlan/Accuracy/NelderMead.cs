namespace LlmPlan.Accuracy;

/// <summary>The Nelder–Mead simplex method (Lagarias et al. 1998 coefficients: reflection 1, expansion 2, contraction
/// 1/2, shrink 1/2): minimises a function of a few variables without derivatives. Deterministic.</summary>
public static class NelderMead
{
    /// <summary>Minimises <paramref name="f"/> from <paramref name="start"/>, restarting the simplex around the best
    /// point until a restart no longer improves it (at most <paramref name="restarts"/> times).</summary>
    /// <param name="f">The function; may return +∞ for points to avoid.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="step">The size of the first simplex along each axis.</param>
    /// <param name="tolerance">Stop when the simplex's function values differ by less than this.</param>
    /// <param name="maxEvaluations">The most function evaluations per restart.</param>
    /// <param name="restarts">The most restarts.</param>
    /// <returns>The best point and its value.</returns>
    public static (double[] Point, double Value) Minimize(Func<double[], double> f, IReadOnlyList<double> start, double step = 0.3, double tolerance = 1e-10, int maxEvaluations = 2000, int restarts = 4)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(start);
        double[] best = [.. start];
        double bestValue = f(best);
        for (int r = 0; r <= restarts; r++)
        {
            var (point, value) = Run(f, best, step, tolerance, maxEvaluations);
            bool improved = value < bestValue - tolerance;
            if (value < bestValue)
            {
                (best, bestValue) = (point, value);
            }

            if (!improved)
            {
                break;
            }
        }

        return (best, bestValue);
    }

    private static (double[] Point, double Value) Run(Func<double[], double> f, double[] start, double step, double tolerance, int maxEvaluations)
    {
        int n = start.Length;
        var simplex = new double[n + 1][];
        var values = new double[n + 1];
        simplex[0] = [.. start];
        values[0] = f(simplex[0]);
        for (int i = 0; i < n; i++)
        {
            double[] vertex = [.. start];
            vertex[i] += step;
            simplex[i + 1] = vertex;
            values[i + 1] = f(vertex);
        }

        int evaluations = n + 1;
        while (evaluations < maxEvaluations)
        {
            // Order the vertices: best first, worst last (ties by index, so the run is deterministic).
            int[] order = [.. Enumerable.Range(0, n + 1).OrderBy(i => values[i]).ThenBy(i => i)];
            simplex = [.. order.Select(i => simplex[i])];
            values = [.. order.Select(i => values[i])];
            if (Math.Abs(values[n] - values[0]) <= tolerance * (1 + Math.Abs(values[0])))
            {
                break;
            }

            var centroid = new double[n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    centroid[j] += simplex[i][j] / n;
                }
            }

            double[] Along(double t) => [.. centroid.Select((c, j) => c + (t * (simplex[n][j] - c)))];
            double[] reflected = Along(-1);
            double fr = f(reflected);
            evaluations++;
            if (fr < values[0])
            {
                double[] expanded = Along(-2);
                double fe = f(expanded);
                evaluations++;
                (simplex[n], values[n]) = fe < fr ? (expanded, fe) : (reflected, fr);
                continue;
            }

            if (fr < values[n - 1])
            {
                (simplex[n], values[n]) = (reflected, fr);
                continue;
            }

            double[] contracted = fr < values[n] ? Along(-0.5) : Along(0.5);
            double fc = f(contracted);
            evaluations++;
            if (fc < Math.Min(fr, values[n]))
            {
                (simplex[n], values[n]) = (contracted, fc);
                continue;
            }

            for (int i = 1; i <= n; i++)
            {
                simplex[i] = [.. simplex[i].Select((x, j) => simplex[0][j] + (0.5 * (x - simplex[0][j])))];
                values[i] = f(simplex[i]);
                evaluations++;
            }
        }

        int bestIndex = Enumerable.Range(0, n + 1).OrderBy(i => values[i]).ThenBy(i => i).First();
        return (simplex[bestIndex], values[bestIndex]);
    }
}
