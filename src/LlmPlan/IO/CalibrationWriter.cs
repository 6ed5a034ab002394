using System.Globalization;
using LlmPlan.Accuracy;
using LlmPlan.Catalog;

namespace LlmPlan.IO;

/// <summary>Writes calibration constants in the catalog's own format (data/gpu-calibration.csv), so the file can be
/// passed back with <c>--catalog DIR</c> or replace the built-in one.</summary>
public static class CalibrationWriter
{
    /// <summary>The header, as in data/gpu-calibration.csv.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "gpu", "compute_efficiency", "memory_efficiency", "step_overhead_ms", "collective_latency_us", "link_efficiency",
        "sequence_overhead_us", "host_to_device_gbps", "device_to_host_gbps", "source",
    ];

    /// <summary>The CSV text: one row per GPU, in the given order.</summary>
    /// <param name="fits">The constants.</param>
    /// <returns>The CSV text.</returns>
    public static string Csv(IReadOnlyList<GpuFit> fits)
    {
        ArgumentNullException.ThrowIfNull(fits);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.WriteRow(Columns);
        foreach (GpuFit fit in fits)
        {
            GpuCalibration c = fit.Calibration;
            csv.WriteRow(
            [
                fit.Gpu.Id,
                c.ComputeEfficiency.ToString("0.000", CultureInfo.InvariantCulture),
                c.MemoryEfficiency.ToString("0.000", CultureInfo.InvariantCulture),
                c.StepOverhead.Milliseconds.ToString("0.000", CultureInfo.InvariantCulture),
                (c.CollectiveLatency.Value * 1e6).ToString("0.0", CultureInfo.InvariantCulture),
                c.LinkEfficiency.ToString("0.000", CultureInfo.InvariantCulture),
                (c.SequenceOverhead.Value * 1e6).ToString("0.00", CultureInfo.InvariantCulture),
                c.HostToDevice is { } h ? CsvWriter.Number(h.GigabytesPerSecond, 6) : string.Empty,
                c.DeviceToHost is { } d ? CsvWriter.Number(d.GigabytesPerSecond, 6) : string.Empty,
                c.Source,
            ]);
        }

        return text.ToString();
    }
}
