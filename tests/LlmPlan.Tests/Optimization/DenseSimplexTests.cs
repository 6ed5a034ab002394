using LlmPlan.Optimization;
using LlmPlan.Optimization.Cbc;

namespace LlmPlan.Tests.Optimization;

/// <summary>The dense-tableau simplex of the fleet search's node relaxations, against hand-solved programs and CBC.</summary>
public class DenseSimplexTests
{
    [Fact]
    public void Should_find_the_vertex_and_its_row_prices_When_a_textbook_program_is_solved()
    {
        // Given max 3x + 5y s.t. x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18 (the optimum is x = 2, y = 6, value 36; the binding rows 2
        // and 3 price at 3/2 and 1, the slack row 1 at 0), When solved, Then the vertex, its value and prices come back.
        double[,] a = { { 1, 0 }, { 0, 2 }, { 3, 2 } };

        DenseSimplexResult r = DenseSimplex.Maximize(a, [4, 12, 18], [3, 5]);

        Assert.Equal(DenseSimplexStatus.Optimal, r.Status);
        Assert.Equal(36, r.Objective, 12);
        Assert.Equal([2.0, 6.0], r.Values.Select(v => Math.Round(v, 12)));
        Assert.Equal([0.0, 1.5, 1.0], r.Duals.Select(v => Math.Round(v, 12)));
    }

    [Fact]
    public void Should_stop_at_the_optimum_When_dantzigs_rule_alone_would_cycle()
    {
        // Given Beale's degenerate program (max 3/4·x1 − 150·x2 + 1/50·x3 − 6·x4 s.t. 1/4·x1 − 60·x2 − 1/25·x3 + 9·x4 ≤ 0,
        // 1/2·x1 − 90·x2 − 1/50·x3 + 3·x4 ≤ 0, x3 ≤ 1), on which the most-negative-reduced-cost rule cycles forever,
        // When solved, Then the switch to Bland's rule ends it at the optimum 1/20 (x1 = 1/25, x3 = 1).
        double[,] a = { { 0.25, -60, -0.04, 9 }, { 0.5, -90, -0.02, 3 }, { 0, 0, 1, 0 } };

        DenseSimplexResult r = DenseSimplex.Maximize(a, [0, 0, 1], [0.75, -150, 0.02, -6]);

        Assert.Equal(DenseSimplexStatus.Optimal, r.Status);
        Assert.Equal(0.05, r.Objective, 12);
        Assert.Equal(0.04, r.Values[0], 12);
        Assert.Equal(1, r.Values[2], 12);
    }

    [Fact]
    public void Should_report_unbounded_When_a_column_with_a_gain_has_no_positive_entry()
    {
        // Given max x + y s.t. x − y ≤ 1 (y grows freely and x with it), When solved, Then the status is unbounded.
        DenseSimplexResult r = DenseSimplex.Maximize(new double[,] { { 1, -1 } }, [1], [1, 1]);

        Assert.Equal(DenseSimplexStatus.Unbounded, r.Status);
    }

    [Fact]
    public void Should_stop_at_the_pivot_limit_When_the_optimum_needs_more_pivots()
    {
        // Given the textbook program above (two pivots to its optimum) and a limit of one pivot, When solved, Then it
        // stops at the limit after one pivot.
        double[,] a = { { 1, 0 }, { 0, 2 }, { 3, 2 } };

        DenseSimplexResult r = DenseSimplex.Maximize(a, [4, 12, 18], [3, 5], maxPivots: 1);

        Assert.Equal((DenseSimplexStatus.PivotLimit, 1), (r.Status, r.Pivots));
    }

    [Fact]
    public void Should_name_the_shapes_When_b_or_c_do_not_match_the_matrix()
    {
        // Given a 2 × 3 matrix with 3 right-hand sides, When solved, Then the error names all three sizes.
        var e = Assert.Throws<ArgumentException>(() => DenseSimplex.Maximize(new double[2, 3], [1, 1, 1], [1, 1, 1]));

        Assert.Equal("A is 2 × 3, b has 3 entries and c has 3; they must be m and n. (Parameter 'a')", e.Message);
    }

    [Fact]
    public void Should_refuse_a_negative_right_hand_side_When_the_slack_basis_would_not_be_feasible()
    {
        // Given b = (1, −2), When solved, Then the error names the entry and why it must be ≥ 0.
        var e = Assert.Throws<ArgumentException>(() => DenseSimplex.Maximize(new double[2, 1], [1, -2], [1]));

        Assert.Equal("b[1] is -2; every right-hand side must be finite and ≥ 0 (the slack basis is the start). (Parameter 'b')", e.Message);
    }

    [Fact]
    public void Should_equal_cbc_and_prove_its_optimum_by_its_prices_When_seeded_random_programs_are_solved()
    {
        // Given 200 seeded random programs (2–12 rows, 2–25 columns, a quarter of the entries 0, some negative, b ≥ 0
        // with some 0 for degeneracy), When solved, Then each ends as CBC does: unbounded for both, or optimal at CBC's
        // value; and at an optimum x is feasible, the prices y are ≥ 0, yᵀA ≥ c and y·b equals c·x (a proof of
        // optimality by duality that does not trust the pivots).
        var random = new Random(2_12_2026);
        int optimal = 0;
        for (int n = 0; n < 200; n++)
        {
            int rows = 2 + random.Next(11);
            int columns = 2 + random.Next(24);
            var a = new double[rows, columns];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < columns; j++)
                {
                    a[i, j] = random.Next(4) == 0 ? 0 : Math.Round((random.NextDouble() * 10) - 2, 3);
                }
            }

            double[] b = [.. Enumerable.Range(0, rows).Select(_ => random.Next(5) == 0 ? 0 : Math.Round(random.NextDouble() * 20, 3))];
            double[] c = [.. Enumerable.Range(0, columns).Select(_ => Math.Round((random.NextDouble() * 10) - 3, 3))];

            DenseSimplexResult r = DenseSimplex.Maximize(a, b, c);
            SolverResult reference = CbcSolver.Instance.Solve(Model(a, b, c));

            if (reference.Status == SolverStatus.Unbounded)
            {
                Assert.Equal(DenseSimplexStatus.Unbounded, r.Status);
                continue;
            }

            Assert.Equal(SolverStatus.Optimal, reference.Status);
            Assert.Equal(DenseSimplexStatus.Optimal, r.Status);
            Assert.Equal(reference.Objective, r.Objective, 6);
            double scale = 1 + Math.Abs(r.Objective);
            for (int i = 0; i < rows; i++)
            {
                Assert.True(Enumerable.Range(0, columns).Sum(j => a[i, j] * r.Values[j]) <= b[i] + 1e-7, $"program {n}: row {i} violated");
                Assert.True(r.Duals[i] >= 0);
            }

            for (int j = 0; j < columns; j++)
            {
                Assert.True(Enumerable.Range(0, rows).Sum(i => r.Duals[i] * a[i, j]) >= c[j] - 1e-7, $"program {n}: column {j} prices below its gain");
            }

            Assert.Equal(r.Objective, Enumerable.Range(0, rows).Sum(i => r.Duals[i] * b[i]), 7 - (int)Math.Ceiling(Math.Log10(scale)));
            optimal++;
        }

        // Both outcomes are exercised.
        Assert.InRange(optimal, 20, 180);
    }

    private static LinearModel Model(double[,] a, double[] b, double[] c)
    {
        var model = new LinearModel("random");
        Variable[] x = [.. c.Select((gain, j) => model.AddVariable($"x{j}", 0, double.PositiveInfinity, objective: gain))];
        model.SetObjectiveSense(ObjectiveSense.Maximize);
        for (int i = 0; i < b.Length; i++)
        {
            model.AddLessOrEqual($"r{i}", [.. x.Select((v, j) => a[i, j] * v).Where(t => t.Coefficient != 0)], b[i]);
        }

        return model;
    }
}
