using LlmPlan.Planning.Robust;
using static LlmPlan.IO.PythonJson;

namespace LlmPlan.IO.Robust;

/// <summary>Writes a robust-allocation instance in the JSON format <see cref="RobustInstanceReader"/> reads, laid out as
/// the seed-42 fixture (Python's <c>json.dump(indent=1)</c>): the same key order, floats as Python's <c>repr</c> (the
/// shortest text that reads back as the same double, <c>2.0</c> for whole numbers), and <c>checksums</c> with numpy's
/// <c>.sum()</c> of each table. Writing the fixture read back gives the fixture's bytes.</summary>
public static class RobustInstanceWriter
{
    /// <summary>The note of the <c>checksums</c> object.</summary>
    public const string ChecksumNote = "numpy .sum() (pairwise summation) over all I*J*K entries; a plain sequential loop can differ in the last 1-2 ulps, compare with a tolerance of 1e-9";

    /// <summary>The instance as JSON text.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>The text, with a final newline.</returns>
    public static string Json(RobustInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return Dump(Build(instance), indent: 1);
    }

    /// <summary>The sum numpy's <c>.sum()</c> gives for a contiguous array: pairwise summation in blocks of up to 128
    /// with eight partial sums (numpy's <c>pairwise_sum</c>), so the last bits match the fixture's checksums.</summary>
    /// <param name="values">The values in C order.</param>
    /// <returns>The sum.</returns>
    public static double NumpySum(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return PairwiseSum(values, 0, values.Count);
    }

    private static double PairwiseSum(IReadOnlyList<double> a, int start, int n)
    {
        if (n < 8)
        {
            double sum = 0.0;
            for (int i = 0; i < n; i++)
            {
                sum += a[start + i];
            }

            return sum;
        }

        if (n <= 128)
        {
            var r = new double[8];
            for (int k = 0; k < 8; k++)
            {
                r[k] = a[start + k];
            }

            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (int k = 0; k < 8; k++)
                {
                    r[k] += a[start + i + k];
                }
            }

            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += a[start + i];
            }

            return res;
        }

        int half = n / 2;
        half -= half % 8;
        return PairwiseSum(a, start, half) + PairwiseSum(a, start + half, n - half);
    }

    private static PythonJson.Value Build(RobustInstance instance)
    {
        RobustScalars s = instance.Scalars;
        return Object(
            ("name", String(instance.Name)),
            ("source", String(instance.Source)),
            ("notes", Array(instance.Notes.Select(String))),
            ("query_types", Array(instance.QueryClasses.Select(q => Object(
                ("name", String(q.Name)),
                ("input_tokens", Integer(q.InputTokens)),
                ("output_tokens", Integer(q.OutputTokens)),
                ("arrival_rate_per_hour", Integer(q.ArrivalRatePerHour)),
                ("delay_threshold_ms", Float(q.DelayThresholdMilliseconds)),
                ("error_threshold", Float(q.ErrorThreshold)),
                ("compute_demand_alpha", Float(q.ComputeDemandAlpha)),
                ("token_size_mb", Float(q.TokenSizeMegabytes)),
                ("delay_penalty_per_ms", Float(q.DelayPenaltyPerMillisecond)),
                ("unmet_penalty", Float(q.UnmetPenalty)))))),
            ("models", Array(instance.Models.Select(m => Object(
                ("name", String(m.Name)),
                ("size_gb", Float(m.SizeGigabytes)),
                ("kv_gb_per_token", Float(m.KvGigabytesPerToken)))))),
            ("gpu_tiers", Array(instance.Tiers.Select(t => Object(
                ("name", String(t.Name)),
                ("gpu", String(t.Gpu)),
                ("precision", String(t.Precision)),
                ("memory_gb", Float(t.MemoryGigabytes)),
                ("compute_tflops", Float(t.ComputeTflops)),
                ("price_per_hour", Float(t.PricePerHour)))))),
            ("tp_degrees", Array(instance.TpDegrees.Select(n => Integer(n)))),
            ("scalars", Object(
                ("budget", Float(s.Budget)),
                ("horizon_hours", Float(s.HorizonHours)),
                ("storage_capacity_gb", Float(s.StorageCapacityGigabytes)),
                ("storage_price_per_gb_hour", Float(s.StoragePricePerGigabyteHour)),
                ("kv_residency_time", Float(s.KvResidencyTime)),
                ("gamma_delay", Float(s.GammaDelay)),
                ("gamma_error", Float(s.GammaError)),
                ("big_m", Float(s.BigM)))),
            ("checksums", Object(
                ("note", String(ChecksumNote)),
                ("sum_delay_nominal", Float(NumpySum(instance.DelayNominal.Values))),
                ("sum_delay_deviation", Float(NumpySum(instance.DelayDeviation.Values))),
                ("sum_error_nominal", Float(NumpySum(instance.ErrorNominal.Values))),
                ("sum_error_deviation", Float(NumpySum(instance.ErrorDeviation.Values))))),
            ("delay_nominal_ms_per_token", Table(instance.DelayNominal)),
            ("delay_deviation_ms_per_token", Table(instance.DelayDeviation)),
            ("error_nominal", Table(instance.ErrorNominal)),
            ("error_deviation", Table(instance.ErrorDeviation)));
    }

    /// <summary>A table as nested lists [i][j][k].</summary>
    private static PythonJson.Value Table(Table3 table) =>
        Array(Enumerable.Range(0, table.Classes).Select(i =>
            Array(Enumerable.Range(0, table.Models).Select(j =>
                Array(Enumerable.Range(0, table.Tiers).Select(k => Float(table[i, j, k])))))));
}
