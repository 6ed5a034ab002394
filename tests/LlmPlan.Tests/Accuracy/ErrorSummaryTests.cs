using LlmPlan.Accuracy;

namespace LlmPlan.Tests.Accuracy;

public class ErrorSummaryTests
{
    [Fact]
    public void Should_interpolate_between_order_statistics_When_percentiles_are_computed()
    {
        // Given 4 errors: the median is the mean of the middle two, p90 sits at position 0.9 × 3 = 2.7
        ErrorSummary s = ErrorSummary.Of([0.4, 0.1, 0.3, 0.2]);

        Assert.Equal(4, s.Count);
        Assert.Equal(0.25, s.MedianApe, 12);
        Assert.Equal(0.25, s.Mape, 12);
        Assert.Equal(0.37, s.P90Ape, 12);
    }

    [Fact]
    public void Should_be_the_value_itself_When_there_is_one_error()
    {
        Assert.Equal(new ErrorSummary(1, 0.5, 0.5, 0.5), ErrorSummary.Of([0.5]));
    }

    [Fact]
    public void Should_have_no_statistics_When_there_is_no_error()
    {
        ErrorSummary s = ErrorSummary.Of([]);
        Assert.Equal(0, s.Count);
        Assert.True(double.IsNaN(s.MedianApe) && double.IsNaN(s.Mape) && double.IsNaN(s.P90Ape));
    }

    [Fact]
    public void Should_keep_order_and_ignore_permutation_When_errors_are_random()
    {
        var random = new Random(31);
        for (int i = 0; i < 200; i++)
        {
            double[] errors = [.. Enumerable.Range(0, 1 + random.Next(40)).Select(_ => random.NextDouble() * 3)];
            ErrorSummary s = ErrorSummary.Of(errors);
            ErrorSummary shuffled = ErrorSummary.Of(errors.OrderBy(_ => random.Next()));

            Assert.Equal(s, shuffled);
            Assert.InRange(s.MedianApe, errors.Min(), errors.Max());
            Assert.InRange(s.P90Ape, s.MedianApe, errors.Max());
            Assert.InRange(s.Mape, errors.Min(), errors.Max());
            Assert.True(errors.Count(e => e <= s.P90Ape) >= 0.9 * errors.Length - 1, "at least 90 % of the errors are at or below p90");
        }
    }
}
