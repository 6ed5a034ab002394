using System.Numerics;

namespace LlmPlan.Optimization;

/// <summary>How a <see cref="DenseSimplex"/> solve ended.</summary>
public enum DenseSimplexStatus
{
    /// <summary>An optimal basic solution.</summary>
    Optimal,

    /// <summary>The objective grows without limit along a column with no positive entry.</summary>
    Unbounded,

    /// <summary>The pivot limit was reached first.</summary>
    PivotLimit,
}

/// <summary>The outcome of a <see cref="DenseSimplex"/> solve.</summary>
/// <param name="Status">How the solve ended.</param>
/// <param name="Objective">c·x at the last basis.</param>
/// <param name="Values">x at the last basis (one value per column).</param>
/// <param name="Duals">The row prices y ≥ 0 at the last basis (one per row); at an optimum yᵀA ≥ c and y·b equals the
/// objective.</param>
/// <param name="Pivots">The pivots taken.</param>
public sealed record DenseSimplexResult(DenseSimplexStatus Status, double Objective, IReadOnlyList<double> Values, IReadOnlyList<double> Duals, int Pivots);

/// <summary>The primal simplex method on a dense tableau for small linear programs of the form max c·x subject to
/// A·x ≤ b, x ≥ 0, with b ≥ 0, so that the slack basis is a feasible start and no first phase is needed.</summary>
/// <remarks>
/// Meant for the many small relaxations an exact search solves inside its nodes (tens of rows, a few hundred columns),
/// where building a <see cref="LinearModel"/> and loading it into CBC would cost more than the solve. The entering
/// column is the most negative reduced cost (Dantzig's rule); after as many degenerate pivots in a row as there are rows
/// it switches to Bland's rule (least index enters, least basic index leaves among ties), which cannot cycle, until a
/// pivot makes progress. Deterministic: the same data give the same pivots. Callers that use the result as a proof should
/// check it with their own arithmetic: the duals are valid multipliers for any row combination, whatever rounding the
/// pivots suffered.
/// </remarks>
public static class DenseSimplex
{
    private const double Tolerance = 1e-9;

    /// <summary>Maximises c·x subject to A·x ≤ b and x ≥ 0.</summary>
    /// <param name="a">The m × n constraint matrix.</param>
    /// <param name="b">The m right-hand sides, each ≥ 0.</param>
    /// <param name="c">The n objective coefficients.</param>
    /// <param name="maxPivots">The most pivots to take.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentException">The shapes disagree or a right-hand side is negative or not finite.</exception>
    public static DenseSimplexResult Maximize(double[,] a, IReadOnlyList<double> b, IReadOnlyList<double> c, int maxPivots = 10_000)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        int m = a.GetLength(0);
        int n = a.GetLength(1);
        if (b.Count != m || c.Count != n)
        {
            throw new ArgumentException(Invariant.Text($"A is {m} × {n}, b has {b.Count} entries and c has {c.Count}; they must be m and n."), nameof(a));
        }

        for (int i = 0; i < m; i++)
        {
            if (!(b[i] >= 0) || !double.IsFinite(b[i]))
            {
                throw new ArgumentException(Invariant.Text($"b[{i}] is {b[i]}; every right-hand side must be finite and ≥ 0 (the slack basis is the start)."), nameof(b));
            }
        }

        // Columns 0..n−1 are x, n..n+m−1 the slacks, n+m the right-hand side; row m holds the reduced costs z_j − c_j.
        int width = n + m + 1;
        var t = new double[(m + 1) * width];
        var nonzero = new int[width];
        var basis = new int[m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                t[(i * width) + j] = a[i, j];
            }

            t[(i * width) + n + i] = 1;
            t[(i * width) + n + m] = b[i];
            basis[i] = n + i;
        }

        for (int j = 0; j < n; j++)
        {
            t[(m * width) + j] = -c[j];
        }

        int pivots = 0;
        int degenerate = 0;
        while (true)
        {
            bool bland = degenerate >= Math.Max(m, 1);
            int enter = -1;
            double most = -Tolerance;
            for (int j = 0; j < n + m; j++)
            {
                if (t[(m * width) + j] < most)
                {
                    enter = j;
                    if (bland)
                    {
                        break;
                    }

                    most = t[(m * width) + j];
                }
            }

            if (enter < 0)
            {
                return Result(DenseSimplexStatus.Optimal);
            }

            if (pivots == maxPivots)
            {
                return Result(DenseSimplexStatus.PivotLimit);
            }

            int leave = -1;
            double ratio = double.PositiveInfinity;
            for (int i = 0; i < m; i++)
            {
                double e = t[(i * width) + enter];
                if (e <= Tolerance)
                {
                    continue;
                }

                double r = t[(i * width) + n + m] / e;
                if (r < ratio - Tolerance || (r <= ratio + Tolerance && leave >= 0 && basis[i] < basis[leave]))
                {
                    ratio = Math.Min(ratio, r);
                    leave = i;
                }
            }

            if (leave < 0)
            {
                return Result(DenseSimplexStatus.Unbounded);
            }

            degenerate = ratio <= Tolerance ? degenerate + 1 : 0;
            Pivot(t, m + 1, width, leave, enter, nonzero);
            basis[leave] = enter;
            pivots++;
        }

        DenseSimplexResult Result(DenseSimplexStatus status)
        {
            var x = new double[n];
            for (int i = 0; i < m; i++)
            {
                if (basis[i] < n)
                {
                    x[basis[i]] = Math.Max(0, t[(i * width) + n + m]);
                }
            }

            var y = new double[m];
            for (int i = 0; i < m; i++)
            {
                y[i] = Math.Max(0, t[(m * width) + n + i]);
            }

            return new DenseSimplexResult(status, t[(m * width) + n + m], x, y, pivots);
        }
    }

    /// <summary>Pivots on (row, column) of the row-major tableau: the other rows are updated only where the pivot row
    /// is not zero when it is sparse, and by vectors over whole rows when a third of it is not zero (the same
    /// arithmetic, since x − f·0 = x).</summary>
    private static void Pivot(double[] t, int rows, int width, int row, int column, int[] nonzero)
    {
        Span<double> pivotRow = t.AsSpan(row * width, width);
        double p = pivotRow[column];
        int count = 0;
        for (int j = 0; j < width; j++)
        {
            if (pivotRow[j] != 0)
            {
                pivotRow[j] /= p;
                nonzero[count++] = j;
            }
        }

        pivotRow[column] = 1;
        ReadOnlySpan<int> columns = nonzero.AsSpan(0, count);
        bool dense = count * 3 > width;
        for (int i = 0; i < rows; i++)
        {
            Span<double> target = t.AsSpan(i * width, width);
            double f = target[column];
            if (i == row || f == 0)
            {
                continue;
            }

            if (dense)
            {
                // The same arithmetic on every column (x − f·0 = x), a vector at a time.
                int j = 0;
                var factor = new Vector<double>(f);
                for (; j <= width - Vector<double>.Count; j += Vector<double>.Count)
                {
                    (new Vector<double>(target[j..]) - (factor * new Vector<double>(pivotRow[j..]))).CopyTo(target[j..]);
                }

                for (; j < width; j++)
                {
                    target[j] -= f * pivotRow[j];
                }
            }
            else
            {
                foreach (int j in columns)
                {
                    target[j] -= f * pivotRow[j];
                }
            }

            target[column] = 0;
        }
    }
}
