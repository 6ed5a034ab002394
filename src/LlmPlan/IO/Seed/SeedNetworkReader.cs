using LlmPlan.Cluster;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.IO.Seed;

/// <summary>Reads the seed's <c>network_bandwidth.csv</c>: a square matrix of GPU-to-GPU bandwidth by global GPU id.</summary>
/// <remarks>The header is an empty cell followed by <c>gpu_0</c>, <c>gpu_1</c>, …; row i starts with the label
/// <c>gpu_i</c>. Values are decimal GB/s (10⁹ B/s) from the row's GPU to the column's GPU; the seed writes 10000 on the
/// diagonal. The matrix must have one row and column per GPU of the pool, in pool order (spec §2.3).</remarks>
public static class SeedNetworkReader
{
    /// <summary>Reads a bandwidth matrix.</summary>
    /// <param name="path">The path of <c>network_bandwidth.csv</c>.</param>
    /// <param name="expectedGpuCount">The number of GPUs in the pool.</param>
    /// <param name="errors">Collects every error found.</param>
    /// <returns>The matrix, or null when the file is missing or has any error.</returns>
    public static NetworkMatrix? Read(string path, int expectedGpuCount, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedGpuCount);
        CsvTable? table = CsvTable.Read(path, errors);
        if (table is null || table.Header.Count == 0)
        {
            return null;
        }

        int before = errors.All.Count;
        int columns = table.Header.Count - 1;
        if (table.Header[0].Length != 0)
        {
            errors.Add($"{table.Name} header", $"the first cell is '{table.Header[0]}'; it must be empty, followed by gpu_0, gpu_1, ….");
        }

        for (int j = 1; j < table.Header.Count; j++)
        {
            string expected = Label(j - 1);
            if (!string.Equals(table.Header[j], expected, StringComparison.Ordinal))
            {
                errors.Add(Invariant.Text($"{table.Name} header, column {j + 1}"), $"'{table.Header[j]}' should be '{expected}'; the columns are gpu_0, gpu_1, … in global GPU order.");
            }
        }

        if (table.Rows.Count != expectedGpuCount || columns != expectedGpuCount)
        {
            errors.Add(table.Name, Invariant.Text(
                $"the pool has {expectedGpuCount} GPUs but the matrix is {table.Rows.Count}×{columns}; it must be {expectedGpuCount}×{expectedGpuCount}. Regenerate it for this pool (one row and one column per GPU, in pool order), for example with the seed's generate_network_bandwidth.py."));
        }

        var bandwidth = new List<BytesPerSecond>(table.Rows.Count * columns);
        for (int i = 0; i < table.Rows.Count; i++)
        {
            CsvRow row = table.Rows[i];
            if (!string.Equals(row.At(0), Label(i), StringComparison.Ordinal))
            {
                errors.Add(Invariant.Text($"{row.File} line {row.Line}, row label"), $"'{row.At(0)}' should be '{Label(i)}'; row i is labelled gpu_i.");
            }

            if (row.CellCount != table.Header.Count)
            {
                errors.Add(Invariant.Text($"{row.File} line {row.Line}"), Invariant.Text(
                    $"the row has {row.CellCount} cells but the header has {table.Header.Count}. Give the label and one value per GPU."));
                continue;
            }

            for (int j = 1; j < table.Header.Count; j++)
            {
                double? gigabytesPerSecond = ValueParsing.Number(row.At(j), row.Where(table.Header[j]), errors, 0);
                bandwidth.Add(BytesPerSecond.FromGigabytesPerSecond(gigabytesPerSecond ?? 0));
            }
        }

        return errors.All.Count > before ? null : new NetworkMatrix(expectedGpuCount, bandwidth);
    }

    private static string Label(int gpu) => Invariant.Text($"gpu_{gpu}");
}
