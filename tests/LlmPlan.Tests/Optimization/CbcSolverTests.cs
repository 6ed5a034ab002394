using LlmPlan.Optimization;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Optimization.Cbc.Interop;
using LlmPlan.Units;

namespace LlmPlan.Tests.Optimization;

public class CbcSolverTests
{
    private static readonly ISolver Solver = CbcSolver.Instance;

    [Fact]
    public void Should_find_the_vertex_optimum_When_a_linear_program_is_solved()
    {
        // Given max 3x + 2y s.t. x + y ≤ 4, x + 3y ≤ 6, x ≤ 3, x, y ≥ 0 (continuous),
        // When solved, Then the optimum is the vertex x = 3, y = 1 with objective 11.
        var model = new LinearModel("lp");
        Variable x = model.AddVariable("x", 0, 3, objective: 3);
        Variable y = model.AddVariable("y", 0, double.PositiveInfinity, objective: 2);
        model.SetObjectiveSense(ObjectiveSense.Maximize);
        model.AddLessOrEqual("c1", [x.AsTerm(), y.AsTerm()], 4);
        model.AddLessOrEqual("c2", [x.AsTerm(), 3 * y], 6);

        SolverResult r = Solver.Solve(model);

        Assert.Equal(SolverStatus.Optimal, r.Status);
        Assert.Equal(11, r.Objective, 9);
        Assert.Equal(3, r.Value(x), 9);
        Assert.Equal(1, r.Value(y), 9);
        Assert.Equal(0, r.RelativeGap, 9);
    }

    [Fact]
    public void Should_pick_the_best_subset_When_a_knapsack_is_solved()
    {
        // Given items (value, weight) (10, 5), (40, 4), (30, 6), (50, 3) and capacity 10,
        // Then the best load is items 2 and 4: value 90, weight 7 (adding item 1 would weigh 12).
        var (model, take) = Knapsack();

        SolverResult r = Solver.Solve(model);

        Assert.Equal(SolverStatus.Optimal, r.Status);
        Assert.Equal(90, r.Objective, 9);
        Assert.Equal([0.0, 1, 0, 1], [.. take.Select(t => Math.Round(r.Value(t)))]);
    }

    [Theory]
    [InlineData(new[] { 0.0, 1, 0, 1 })]
    [InlineData(new[] { 1.0, 1, 1, 1 })]
    [InlineData(new[] { 1.0, 0, 0, 0 })]
    public void Should_reach_the_same_optimum_When_the_search_starts_from_a_solution(double[] start)
    {
        // Given the knapsack above and a start that is optimal, infeasible (weight 18 > 10) or feasible but poor,
        // When solved from it, Then the optimum is the same: a start only prunes, and an infeasible one is ignored.
        var (model, _) = Knapsack();

        SolverResult r = Solver.Solve(model, SolverOptions.Default with { Start = start });

        Assert.Equal(SolverStatus.Optimal, r.Status);
        Assert.Equal(90, r.Objective, 9);
        Assert.Throws<ArgumentException>(() => Solver.Solve(model, SolverOptions.Default with { Start = [1.0] }));
    }

    /// <summary>Items (value, weight) (10, 5), (40, 4), (30, 6), (50, 3), capacity 10, maximise the value taken.</summary>
    private static (LinearModel Model, Variable[] Take) Knapsack()
    {
        var model = new LinearModel("knapsack");
        int[] value = [10, 40, 30, 50];
        int[] weight = [5, 4, 6, 3];
        Variable[] take = [.. value.Select((v, i) => model.AddBinary($"take_{i}", v))];
        model.SetObjectiveSense(ObjectiveSense.Maximize);
        model.AddLessOrEqual("capacity", take.Select((t, i) => weight[i] * t), 10);
        return (model, take);
    }

    [Fact]
    public void Should_match_the_cheapest_permutation_When_an_assignment_problem_is_solved()
    {
        // Given a 3 × 3 cost matrix, When each worker gets exactly one job, Then the cost is the cheapest of the 6
        // permutations: worker 0 → job 1 (2), worker 1 → job 0 (3), worker 2 → job 2 (1) = 6.
        double[,] cost = { { 9, 2, 7 }, { 3, 6, 8 }, { 5, 8, 1 } };
        var model = new LinearModel("assignment");
        var x = new Variable[3, 3];
        for (int w = 0; w < 3; w++)
        {
            for (int j = 0; j < 3; j++)
            {
                x[w, j] = model.AddBinary($"x_{w}_{j}", cost[w, j]);
            }
        }

        for (int k = 0; k < 3; k++)
        {
            model.AddEqual($"worker_{k}", Enumerable.Range(0, 3).Select(j => x[k, j].AsTerm()), 1);
            model.AddEqual($"job_{k}", Enumerable.Range(0, 3).Select(w => x[w, k].AsTerm()), 1);
        }

        SolverResult r = Solver.Solve(model);

        Assert.Equal(SolverStatus.Optimal, r.Status);
        Assert.Equal(6, r.Objective, 9);
        Assert.Equal(1, r.Value(x[0, 1]), 9);
        Assert.Equal(1, r.Value(x[1, 0]), 9);
        Assert.Equal(1, r.Value(x[2, 2]), 9);
    }

    [Fact]
    public void Should_report_infeasible_When_an_integer_must_be_one_half()
    {
        // Given 2x = 1 with x integer, Then no solution exists (the LP relaxation x = 0.5 is feasible, so only the
        // search proves it).
        var model = new LinearModel("odd");
        Variable x = model.AddInteger("x", 0, 10, 1);
        model.AddEqual("twice", [2 * x], 1);

        SolverResult r = Solver.Solve(model);

        Assert.Equal(SolverStatus.Infeasible, r.Status);
        Assert.False(r.HasSolution);
        Assert.True(double.IsNaN(r.Objective));
    }

    [Fact]
    public void Should_report_infeasible_When_linear_constraints_contradict()
    {
        var model = new LinearModel("contradiction");
        Variable x = model.AddVariable("x", 0, 10, objective: 1);
        model.AddGreaterOrEqual("at_least", [x.AsTerm()], 2);
        model.AddLessOrEqual("at_most", [x.AsTerm()], 1);

        Assert.Equal(SolverStatus.Infeasible, Solver.Solve(model).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Should_report_unbounded_When_the_objective_can_grow_forever(bool integer)
    {
        // Given max x + y with x − y ≤ 1 and x, y ≥ 0, Then x = y can grow without limit.
        var model = new LinearModel("unbounded");
        var kind = integer ? VariableKind.Integer : VariableKind.Continuous;
        Variable x = model.AddVariable("x", 0, double.PositiveInfinity, kind, 1);
        Variable y = model.AddVariable("y", 0, double.PositiveInfinity, kind, 1);
        model.SetObjectiveSense(ObjectiveSense.Maximize);
        model.AddLessOrEqual("diff", [x.AsTerm(), -1 * y], 1);

        Assert.Equal(SolverStatus.Unbounded, Solver.Solve(model).Status);
    }

    [Fact]
    public void Should_add_the_constant_and_respect_bounds_When_a_model_has_no_constraints()
    {
        // Given min 2x − y + 5 with x ∈ [1, 4] and y ∈ [−2, 3] integer and no rows, Then x = 1, y = 3: 2 − 3 + 5 = 4.
        var model = new LinearModel("bounds only");
        Variable x = model.AddInteger("x", 1, 4, 2);
        Variable y = model.AddInteger("y", -2, 3, -1);
        model.SetObjectiveSense(ObjectiveSense.Minimize, 5);

        SolverResult r = Solver.Solve(model);

        Assert.Equal(SolverStatus.Optimal, r.Status);
        Assert.Equal(4, r.Objective, 9);
        Assert.Equal((1.0, 3.0), (r.Value(x), r.Value(y)));
    }

    [Fact]
    public void Should_return_the_incumbent_When_the_time_limit_stops_a_hard_search()
    {
        // Given a market-split instance (Cornuéjols and Dawande 1999: m = 6 equality rows over n = 50 binaries with
        // random coefficients 0..99 and right-hand sides half the row sums) whose rows may be missed at a penalty, every
        // 0/1 vector is feasible but the LP bound is 0, so the search cannot close the gap. When limited to 0.3 s, Then
        // it stops on the time limit with an incumbent whose objective is above the bound.
        var random = new Random(7);
        var model = new LinearModel("market split");
        Variable[] x = [.. Enumerable.Range(0, 50).Select(j => model.AddBinary($"x_{j}"))];
        for (int i = 0; i < 6; i++)
        {
            int[] a = [.. x.Select(_ => random.Next(100))];
            Variable over = model.AddVariable($"over_{i}", 0, double.PositiveInfinity, objective: 1);
            Variable under = model.AddVariable($"under_{i}", 0, double.PositiveInfinity, objective: 1);
            model.AddEqual($"split_{i}", x.Select((v, j) => a[j] * v).Append(-1 * over).Append(under.AsTerm()), Math.Floor(a.Sum() / 2.0));
        }

        SolverResult r = Solver.Solve(model, new SolverOptions { TimeLimit = Seconds.FromSeconds(0.3) });

        Assert.Equal(SolverStatus.TimeLimit, r.Status);
        Assert.True(r.HasSolution);
        Assert.True(r.Objective > r.BestBound, $"objective {r.Objective}, bound {r.BestBound}");
        Assert.True(r.RelativeGap > 0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Should_equal_brute_force_When_random_small_integer_programs_are_solved(bool cutsAndHeuristics)
    {
        // Given 200 seeded random programs over 3 integers in 0..3 with 2 random ≤ rows, When solved by CBC (with and
        // without cuts and heuristics) and by enumerating all 64 points, Then both agree on feasibility and the optimum.
        var options = new SolverOptions { Cuts = cutsAndHeuristics, Heuristics = cutsAndHeuristics };
        var random = new Random(20261201);
        for (int n = 0; n < 200; n++)
        {
            var model = new LinearModel("random");
            double[] c = [.. Enumerable.Range(0, 3).Select(_ => (double)random.Next(-5, 6))];
            Variable[] x = [.. c.Select((ci, j) => model.AddInteger($"x{j}", 0, 3, ci))];
            var rows = new List<(double[] A, double B)>();
            for (int i = 0; i < 2; i++)
            {
                double[] a = [.. Enumerable.Range(0, 3).Select(_ => (double)random.Next(-4, 5))];
                double b = random.Next(-3, 8);
                rows.Add((a, b));
                model.AddLessOrEqual($"r{i}", x.Select((v, j) => a[j] * v), b);
            }

            double best = double.PositiveInfinity;
            for (int p = 0; p < 64; p++)
            {
                int[] v = [p & 3, (p >> 2) & 3, p >> 4];
                if (rows.All(row => row.A.Select((a, j) => a * v[j]).Sum() <= row.B))
                {
                    best = Math.Min(best, c.Select((ci, j) => ci * v[j]).Sum());
                }
            }

            SolverResult r = Solver.Solve(model, options);
            if (double.IsPositiveInfinity(best))
            {
                Assert.Equal(SolverStatus.Infeasible, r.Status);
            }
            else
            {
                Assert.Equal(SolverStatus.Optimal, r.Status);
                Assert.Equal(best, r.Objective, 9);
            }
        }
    }

    [Fact]
    public void Should_name_the_debian_package_When_the_library_cannot_be_loaded()
    {
        var e = Assert.Throws<SolverUnavailableException>(() => CbcLibrary.Load("/nonexistent/libCbcSolver.so.3"));
        Assert.Equal(
            "the COIN-OR CBC solver library /nonexistent/libCbcSolver.so.3 could not be loaded. Install the Debian package coinor-libcbc3 (sudo apt-get install coinor-libcbc3; ./llmplan does this on its first run), or set LLMPLAN_CBC_LIBRARY to the full path of libCbcSolver.so.3.",
            e.Message);
    }

    [Fact]
    public void Should_report_cbc_2_10_When_the_library_is_loaded()
    {
        Assert.StartsWith("CBC 2.10.", Solver.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_merge_repeated_terms_and_drop_zeros_When_a_constraint_is_added()
    {
        var model = new LinearModel("merge");
        Variable x = model.AddVariable("x", 0, 1);
        Variable y = model.AddVariable("y", 0, 1);
        model.AddLessOrEqual("row", [2 * x, 3 * y, -2 * x], 4);
        Assert.Equal([new LinearTerm(y, 3)], model.Constraints[0].Terms);
    }
}
