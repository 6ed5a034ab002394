using LlmPlan.Accuracy;
using LlmPlan.Catalog;

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

    [Fact]
    public void Should_group_the_predicted_rows_by_metric_gpu_tp_and_engine_When_a_report_is_made()
    {
        // Given four rows (APE 0.1, 0.3, 0.2 and a skipped one) on two engines, two GPUs and two TP degrees
        static MeasurementPrediction Row(string id, string engine, string gpu, int tp, MeasuredMetric metric, double measured, double? predicted) => new(
            new Measurement
            {
                Id = id, Source = "test", Engine = engine, Model = "llama-3.1-8b", Gpu = gpu, Precision = Precision.Bf16, TensorParallel = tp,
                PipelineParallel = 1, Replicas = 1, InputTokens = 100, OutputTokens = 10, Load = MeasuredLoad.Closed(1), Metric = metric, Value = measured,
            },
            predicted,
            predicted is null ? "skipped for the test" : string.Empty);
        MeasurementPrediction[] rows =
        [
            Row("a", "vllm:0.12.0", "H100-SXM-80GB", 2, MeasuredMetric.TimePerOutputToken, 10, 11),
            Row("b", "sglang:0.5.6", "H100-SXM-80GB", 1, MeasuredMetric.TimeToFirstToken, 100, 130),
            Row("c", "vllm:0.12.0", "A100-SXM-80GB", 1, MeasuredMetric.TimeToFirstToken, 50, 40),
            Row("d", "trtllm:0.17", "A100-SXM-80GB", 1, MeasuredMetric.TimeToFirstToken, 50, null),
        ];

        // When summarised
        ValidationReport report = ValidationReport.Of(rows);

        // Then each breakdown counts only predicted rows, engines in ordinal order as the column writes them
        Assert.Equal(3, report.Overall.Count);
        Assert.Equal(["sglang:0.5.6", "vllm:0.12.0"], report.ByEngine.Select(g => g.Key));
        Assert.Equal(0.3, report.ByEngine[0].Summary.MedianApe, 12);
        Assert.Equal(2, report.ByEngine[1].Summary.Count);
        Assert.Equal(0.15, report.ByEngine[1].Summary.MedianApe, 12);
        Assert.Equal(["A100-SXM-80GB", "H100-SXM-80GB"], report.ByGpu.Select(g => g.Key));
        Assert.Equal(["1", "2"], report.ByTensorParallel.Select(g => g.Key));
        Assert.Equal(["ttft_ms", "tpot_ms"], report.ByMetric.Select(g => g.Key));
        Assert.Equal(["d"], report.Skipped.Select(r => r.Measurement.Id));
    }
}
