using LlmPlan.Units;

namespace LlmPlan.Catalog;

/// <summary>A numeric format for weights or the KV cache.</summary>
public enum Precision
{
    /// <summary>IEEE half precision, 2 bytes.</summary>
    Fp16,

    /// <summary>bfloat16, 2 bytes.</summary>
    Bf16,

    /// <summary>8-bit floating point (E4M3), 1 byte, with per-tensor scales.</summary>
    Fp8,

    /// <summary>8-bit integer, 1 byte, with per-channel scales.</summary>
    Int8,

    /// <summary>4-bit integer weights with one fp16 scale and a 4-bit zero point per group of 128 (AWQ/GPTQ layout).</summary>
    Int4,

    /// <summary>4-bit floating point (NVFP4: E2M1 values with one fp8 scale per block of 16).</summary>
    Fp4,
}

/// <summary>Facts about each <see cref="Precision"/>: storage size, which tensor-core peak applies, and names.</summary>
public static class PrecisionFacts
{
    /// <summary>Gets every precision in declaration order.</summary>
    public static IReadOnlyList<Precision> All { get; } = Enum.GetValues<Precision>();

    /// <summary>The storage per element, in bytes, including quantization scales.</summary>
    /// <param name="precision">The precision.</param>
    /// <returns>Bytes per element: 2, 2, 1, 1, 66.5/128 = 0.51953125 (int4, group 128), 9/16 = 0.5625 (fp4, block 16).</returns>
    public static double BytesPerElement(this Precision precision) => precision switch
    {
        Precision.Fp16 or Precision.Bf16 => 2.0,
        Precision.Fp8 or Precision.Int8 => 1.0,
        Precision.Int4 => 66.5 / 128.0,
        Precision.Fp4 => 9.0 / 16.0,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision."),
    };

    /// <summary>Gets a value indicating whether the precision may hold the KV cache (16- and 8-bit formats).</summary>
    /// <param name="precision">The precision.</param>
    /// <returns>True for fp16, bf16, fp8 and int8.</returns>
    public static bool IsKvCachePrecision(this Precision precision) =>
        precision is Precision.Fp16 or Precision.Bf16 or Precision.Fp8 or Precision.Int8;

    /// <summary>The lower-case name used in files and flags.</summary>
    /// <param name="precision">The precision.</param>
    /// <returns>For example <c>bf16</c>.</returns>
    public static string Name(this Precision precision) => precision.ToString().ToLowerInvariant();

    /// <summary>Parses a precision name (case-insensitive).</summary>
    /// <param name="text">The name, e.g. <c>fp16</c>.</param>
    /// <param name="precision">The precision when the name is known.</param>
    /// <returns>True when the name is known.</returns>
    public static bool TryParse(string text, out Precision precision)
    {
        foreach (Precision candidate in All)
        {
            if (string.Equals(candidate.Name(), text, StringComparison.OrdinalIgnoreCase))
            {
                precision = candidate;
                return true;
            }
        }

        precision = default;
        return false;
    }

    /// <summary>The peak dense tensor rate a GPU reaches for matrix products with weights in <paramref name="precision"/>.</summary>
    /// <remarks>Weight-and-activation formats (fp8, int8, fp4) use their own tensor-core peak where the GPU has it. Where it
    /// has not (fp8 on Ampere, say), and for int4 weights (engines dequantize int4 to 16 bits: AWQ/GPTQ/Marlin kernels),
    /// the math runs at the 16-bit peak while the weights are still read at their small size.</remarks>
    /// <param name="precision">The weight precision.</param>
    /// <param name="gpu">The GPU.</param>
    /// <returns>The peak, in operations per second.</returns>
    public static FlopsPerSecond PeakFor(this Precision precision, GpuSpec gpu)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        FlopsPerSecond? specific = precision switch
        {
            Precision.Fp8 => gpu.Fp8Peak,
            Precision.Int8 => gpu.Int8Peak,
            Precision.Fp4 => gpu.Fp4Peak,
            _ => null,
        };
        return specific ?? gpu.Fp16Peak;
    }
}
