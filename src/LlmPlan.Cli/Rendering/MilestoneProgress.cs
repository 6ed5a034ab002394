using System.Globalization;

namespace LlmPlan.Cli.Rendering;

/// <summary>Reports a sweep's progress on the error writer at each quarter of the points (counts only, so it is
/// deterministic).</summary>
/// <param name="error">Where progress goes.</param>
/// <param name="total">The points in the sweep.</param>
/// <param name="what">What a finished point is, e.g. <c>configurations evaluated</c>.</param>
internal sealed class MilestoneProgress(TextWriter error, int total, string what) : IProgress<int>
{
    private readonly Lock _gate = new();
    private int _lastQuarter;
    private int _lastPrinted;

    public void Report(int value)
    {
        int quarter = total == 0 ? 4 : value * 4 / total;
        lock (_gate)
        {
            while (_lastQuarter < quarter)
            {
                // The count at each quarter, rounded up, printed once: the same lines whatever order the points finish in.
                _lastQuarter++;
                int count = (int)Math.Ceiling(_lastQuarter * total / 4.0);
                if (count > _lastPrinted)
                {
                    _lastPrinted = count;
                    error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sweep: {count}/{total} {what}"));
                }
            }
        }
    }
}
