using LlmPlan.Catalog;

namespace LlmPlan.Planning.Robust;

/// <summary>The built-in error rates of the robust spec (docs/formats.md, "Robust spec (YAML)"): a 16-bit rate per catalog
/// model times a multiplier per precision.</summary>
/// <remarks>The 16-bit rates are 1 − the model's MMLU accuracy (5-shot, macro_avg/acc_char, base pretrained model) from
/// Meta's model cards: Llama 3.1 8B 66.7, 70B 79.3, 405B 85.2 (github.com/meta-llama/llama-models,
/// models/llama3_1/MODEL_CARD.md, "Base pretrained models"); Llama 3.2 1B 32.2, 3B 58.0 (models/llama3_2/MODEL_CARD.md).
/// MMLU error is a proxy for a task's error rate, not the rate of any real workload: measure your own and override it
/// (<c>error_rates</c>). Other catalog models have no built-in rate; a spec that uses one must give it. The precision
/// multipliers are the seed's (FP16 1.0, INT8 1.15, INT4 1.35; seed spec §2.2) with fp8 at 1.05 between them.</remarks>
public static class RobustErrorTable
{
    /// <summary>The built-in 16-bit error rate per catalog model id.</summary>
    public static readonly IReadOnlyDictionary<string, double> SixteenBitRates = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["llama-3.2-1b"] = 0.678, // 1 − 0.322
        ["llama-3.2-3b"] = 0.420, // 1 − 0.580
        ["llama-3.1-8b"] = 0.333, // 1 − 0.667
        ["llama-3.1-70b"] = 0.207, // 1 − 0.793
        ["llama-3.1-405b"] = 0.148, // 1 − 0.852
    };

    /// <summary>The precisions a robust tier may use (each has a multiplier).</summary>
    public static readonly IReadOnlyList<Precision> TierPrecisions = [Precision.Fp16, Precision.Bf16, Precision.Fp8, Precision.Int8, Precision.Int4];

    /// <summary>The factor on the 16-bit error rate at a precision: 1.0 (fp16, bf16), 1.05 (fp8), 1.15 (int8), 1.35 (int4).</summary>
    /// <param name="precision">The precision.</param>
    /// <returns>The multiplier.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The precision is not one of <see cref="TierPrecisions"/>.</exception>
    public static double PrecisionMultiplier(Precision precision) => precision switch
    {
        Precision.Fp16 or Precision.Bf16 => 1.0,
        Precision.Fp8 => 1.05,
        Precision.Int8 => 1.15,
        Precision.Int4 => 1.35,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "No error multiplier for this precision."),
    };

    /// <summary>The built-in rate of a model at a precision: its 16-bit rate × the multiplier, at most 1; null when the
    /// model has no built-in rate.</summary>
    /// <param name="model">The catalog model id.</param>
    /// <param name="precision">The precision.</param>
    /// <returns>The rate, or null.</returns>
    public static double? RateFor(string model, Precision precision) =>
        SixteenBitRates.TryGetValue(model, out double rate) ? Math.Min(1.0, rate * PrecisionMultiplier(precision)) : null;
}
