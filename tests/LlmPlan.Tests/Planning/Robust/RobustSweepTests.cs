using LlmPlan.Planning.Robust;
using LlmPlan.Planning.Sweeps;
using LlmPlan.Validation;

namespace LlmPlan.Tests.Planning.Robust;

public class RobustSweepTests
{
    [Fact]
    public void Should_write_each_value_as_its_decimals_When_a_range_steps_by_a_tenth()
    {
        // Given 0.1:0.7:0.1, whose sums in floating point include 0.30000000000000004 and 0.7000000000000001.
        // When the values are generated, Then each is the double of its decimal text.
        Assert.Equal([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], SweepRange.Values(0.1, 0.7, 0.1));
        Assert.Equal([0.4, 0.45, 0.5, 0.55, 0.6, 0.65], SweepRange.Values(0.40, 0.65, 0.05));
        Assert.Equal([0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0], SweepRange.Values(0.6, 2.0, 0.2));
        Assert.Equal([1.0, 3.0], SweepRange.Values(1, 4, 2));
    }

    [Theory]
    [InlineData("cost-budget", "gpu-price", 6, "budget", 5)]
    [InlineData("delay-error", "delay-threshold", 5, "error-threshold", 11)]
    [InlineData("gpu-cost-error", "gpu-price", 11, "error-threshold", 11)]
    [InlineData("memory-error", "gpu-memory", 8, "error-threshold", 8)]
    public void Should_have_the_seeds_grid_When_a_preset_is_named(string name, string rows, int rowCount, string columns, int columnCount)
    {
        RobustSweepPreset preset = RobustSweep.FindPreset(name)!;
        Assert.Equal([rows, columns], preset.Axes.Select(a => RobustScaling.NameOf(a.Parameter)));
        Assert.Equal([rowCount, columnCount], preset.Axes.Select(a => a.Factors.Count));
        Assert.Equal(rowCount * columnCount, RobustSweep.Points(preset.Axes).Count);
    }

    [Fact]
    public void Should_hold_the_seeds_factors_When_the_presets_are_read()
    {
        // The seed's grids (spec §4): 30, 55, 121 and 64 points.
        Assert.Equal([30, 55, 121, 64], RobustSweep.Presets.Select(p => RobustSweep.Points(p.Axes).Count));
        Assert.Equal([0.01, 0.03, 0.05, 0.07, 0.09], RobustSweep.FindPreset("delay-error")!.Axes[0].Factors);
        Assert.Equal([0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4], RobustSweep.FindPreset("gpu-cost-error")!.Axes[1].Factors);
        Assert.Equal([0.3, 0.35, 0.4, 0.45, 0.5], RobustSweep.FindPreset("cost-budget")!.Axes[1].Factors);
        Assert.Null(RobustSweep.FindPreset("cost"));
    }

    [Fact]
    public void Should_order_points_row_major_When_two_axes_are_given()
    {
        SweepAxis[] axes = [new(ScaledParameter.GpuPrice, [0.5, 1.0]), new(ScaledParameter.Budget, [1.0, 2.0, 3.0])];
        Assert.Equal(
            [[0.5, 1.0], [0.5, 2.0], [0.5, 3.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]],
            RobustSweep.Points(axes).Select(p => p.ToArray()));
    }

    [Fact]
    public void Should_parse_ranges_and_lists_When_grids_are_valid()
    {
        var errors = new InputErrors();
        var axes = RobustSweep.ParseGrid(["gpu-price=0.5:0.7:0.1", " error-threshold = 1, 0.5 "], errors);
        Assert.Empty(errors.All);
        Assert.Equal([ScaledParameter.GpuPrice, ScaledParameter.ErrorThreshold], axes.Select(a => a.Parameter));
        Assert.Equal([0.5, 0.6, 0.7], axes[0].Factors);
        Assert.Equal([1.0, 0.5], axes[1].Factors);
    }

    [Theory]
    [InlineData("price=0.5:1:0.1", "--grid: 'price=0.5:1:0.1' is not NAME=FROM:TO:STEP or NAME=V1,V2,… with NAME one of: gpu-price, budget, delay-threshold, error-threshold, gpu-memory.")]
    [InlineData("0.5:1:0.1", "--grid: '0.5:1:0.1' is not NAME=FROM:TO:STEP or NAME=V1,V2,… with NAME one of: gpu-price, budget, delay-threshold, error-threshold, gpu-memory.")]
    [InlineData("budget=1:0.5:0.1", "--grid budget: FROM:TO:STEP needs FROM ≤ TO and STEP > 0, e.g. 0.5:1.5:0.1.")]
    [InlineData("budget=0.5:1:0", "--grid budget: FROM:TO:STEP needs FROM ≤ TO and STEP > 0, e.g. 0.5:1.5:0.1.")]
    [InlineData("budget=0:1:0.5", "--grid budget: 0 is out of range; it must be greater than 0.")]
    [InlineData("budget=1,x", "--grid budget: 'x' is not a number. Write a finite number with '.' as the decimal separator.")]
    [InlineData("budget=", "--grid budget: the value is empty. Write a number.")]
    [InlineData("budget=0.5,1,0.5", "--grid budget: the factor 0.5 is listed twice; give each once.")]
    [InlineData("budget=0.001:1:0.001", "--grid budget: 1000 factors is too many; use at most 200 (a larger STEP).")]
    public void Should_name_the_problem_When_a_grid_is_invalid(string grid, string message)
    {
        var errors = new InputErrors();
        Assert.Empty(RobustSweep.ParseGrid([grid], errors));
        Assert.Equal([message], errors.All.Select(e => e.ToString()));
    }

    [Fact]
    public void Should_refuse_When_a_parameter_is_swept_twice_or_three_grids_are_given()
    {
        var errors = new InputErrors();
        Assert.Single(RobustSweep.ParseGrid(["budget=1,2", "budget=3"], errors));
        Assert.Equal(["--grid: budget is swept twice; give each parameter once."], errors.All.Select(e => e.ToString()));

        errors = new InputErrors();
        Assert.Empty(RobustSweep.ParseGrid(["budget=1", "gpu-price=1", "gpu-memory=1"], errors));
        Assert.Equal(["--grid: 3 grids given; sweep one or two parameters at once (the two axes of a heatmap)."], errors.All.Select(e => e.ToString()));
    }

    [Fact]
    public void Should_throw_When_the_axes_cannot_make_a_grid()
    {
        RobustInstance instance = LlmPlan.IO.Robust.RobustInstanceReader.Read(RobustFixture.Path);
        SweepAxis budget = new(ScaledParameter.Budget, [1.0]);
        var solver = LlmPlan.Optimization.Cbc.CbcSolver.Instance;
        Assert.Throws<ArgumentException>(() => RobustSweep.Run(instance, [], new RobustOptions(), solver));
        Assert.Throws<ArgumentException>(() => RobustSweep.Run(instance, [budget, budget], new RobustOptions(), solver));
        Assert.Throws<ArgumentException>(() => RobustSweep.Run(instance, [budget with { Factors = [] }], new RobustOptions(), solver));
    }
}
