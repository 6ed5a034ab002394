namespace LlmPlan.Accuracy;

/// <summary>Summary statistics of absolute percentage errors (fractions: 0.1 is 10 %).</summary>
/// <param name="Count">The number of predicted rows.</param>
/// <param name="MedianApe">The median.</param>
/// <param name="Mape">The mean.</param>
/// <param name="P90Ape">The 90th percentile.</param>
/// <remarks>Percentiles interpolate linearly between order statistics (position (n − 1)·q of the sorted errors, numpy's
/// default), so the median of an even count is the mean of the middle two. An empty set has count 0 and NaN statistics.</remarks>
public sealed record ErrorSummary(int Count, double MedianApe, double Mape, double P90Ape)
{
    /// <summary>Summarises a set of absolute percentage errors.</summary>
    /// <param name="errors">The errors, each at least 0.</param>
    /// <returns>The summary.</returns>
    public static ErrorSummary Of(IEnumerable<double> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        double[] sorted = [.. errors.Order()];
        return sorted.Length == 0
            ? new ErrorSummary(0, double.NaN, double.NaN, double.NaN)
            : new ErrorSummary(sorted.Length, Quantile(sorted, 0.5), sorted.Average(), Quantile(sorted, 0.9));
    }

    /// <summary>The q-quantile of sorted values by linear interpolation at position (n − 1)·q.</summary>
    /// <param name="sorted">The values, ascending; at least one.</param>
    /// <param name="q">The quantile in [0, 1].</param>
    /// <returns>The quantile.</returns>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Count);
        double position = (sorted.Count - 1) * q;
        int below = (int)Math.Floor(position);
        int above = Math.Min(sorted.Count - 1, below + 1);
        return sorted[below] + ((sorted[above] - sorted[below]) * (position - below));
    }
}

/// <summary>One group of a breakdown (a metric, a GPU, a TP degree, an engine) with its error summary.</summary>
/// <param name="Key">The group's name.</param>
/// <param name="Summary">The errors of its predicted rows.</param>
public sealed record ErrorGroup(string Key, ErrorSummary Summary);

/// <summary>Every row's prediction and the error summaries of <c>llmplan validate</c>.</summary>
/// <param name="Rows">Each row, predicted or skipped, in file order.</param>
/// <param name="Overall">The errors of every predicted row.</param>
/// <param name="ByMetric">Per metric, in the metric order of the schema.</param>
/// <param name="ByGpu">Per GPU id, in ordinal order.</param>
/// <param name="ByTensorParallel">Per TP degree, ascending.</param>
/// <param name="ByEngine">Per engine, as the rows' <c>engine</c> column writes it (version included), in ordinal order:
/// engines differ in what no per-GPU constant describes (scheduling, prefix caching, their benchmark harness).</param>
public sealed record ValidationReport(
    IReadOnlyList<MeasurementPrediction> Rows,
    ErrorSummary Overall,
    IReadOnlyList<ErrorGroup> ByMetric,
    IReadOnlyList<ErrorGroup> ByGpu,
    IReadOnlyList<ErrorGroup> ByTensorParallel,
    IReadOnlyList<ErrorGroup> ByEngine)
{
    /// <summary>Gets the rows that were predicted.</summary>
    public IEnumerable<MeasurementPrediction> Predicted => Rows.Where(r => r.Predicted is not null);

    /// <summary>Gets the rows that were skipped.</summary>
    public IEnumerable<MeasurementPrediction> Skipped => Rows.Where(r => r.Predicted is null);

    /// <summary>Summarises predictions.</summary>
    /// <param name="rows">The predictions, in file order.</param>
    /// <returns>The report.</returns>
    public static ValidationReport Of(IReadOnlyList<MeasurementPrediction> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var predicted = rows.Where(r => r.Ape is not null).ToList();
        IReadOnlyList<ErrorGroup> Groups<TKey>(Func<MeasurementPrediction, TKey> key, Func<TKey, string> name, IComparer<TKey> order) =>
            [.. predicted.GroupBy(key).OrderBy(g => g.Key, order).Select(g => new ErrorGroup(name(g.Key), ErrorSummary.Of(g.Select(r => r.Ape!.Value))))];

        return new ValidationReport(
            rows,
            ErrorSummary.Of(predicted.Select(r => r.Ape!.Value)),
            Groups(r => r.Measurement.Metric, m => m.Name(), Comparer<MeasuredMetric>.Default),
            Groups(r => r.Measurement.Gpu, g => g, StringComparer.Ordinal),
            Groups(r => r.Measurement.TensorParallel, t => t.ToString(System.Globalization.CultureInfo.InvariantCulture), Comparer<int>.Default),
            Groups(r => r.Measurement.Engine, e => e, StringComparer.Ordinal));
    }
}
