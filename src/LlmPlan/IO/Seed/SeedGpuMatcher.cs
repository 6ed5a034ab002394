using LlmPlan.Catalog;

namespace LlmPlan.IO.Seed;

/// <summary>Maps the seed's GPU names (<c>A100</c> with 80 GB, <c>RTX A6000</c>, <c>L40S</c>) to catalog GPUs.</summary>
/// <remarks>Implementation note: a name matches a catalog id when it equals the id or is the id's prefix before a dash
/// (<c>A100</c> → <c>A100-SXM-80GB</c>), compared without case or spaces. That is an exact match on the family, so the
/// seed's substring bug (<c>A10</c> matching <c>A100</c>, <c>L40</c> matching <c>L40S</c>) cannot happen. A leading
/// <c>RTX</c> is dropped when nothing matches with it (<c>RTX A6000</c> → <c>A6000</c>). Memory picks the variant; it
/// matches within <see cref="MemoryTolerance"/> of the catalog number, because the seed writes B200 as 192 GB (the
/// physical HBM) where the catalog lists the 180 GB users get. SXM variants win over PCIe ones unless the caller says
/// the instance is a PCIe one.</remarks>
internal static class SeedGpuMatcher
{
    /// <summary>The relative difference allowed between the seed's memory number and the catalog's.</summary>
    private const double MemoryTolerance = 0.10;

    /// <summary>Finds the catalog GPU for a seed GPU name and memory.</summary>
    /// <param name="gpuType">The seed's GPU name.</param>
    /// <param name="memoryGigabytes">The memory per GPU as the seed writes it (GB), or null when unknown.</param>
    /// <param name="preferPcie">Whether a PCIe variant should win over an SXM one.</param>
    /// <param name="catalog">The catalog.</param>
    /// <param name="problem">Why nothing matched, as a sentence for an error message; empty on success.</param>
    /// <returns>The GPU, or null.</returns>
    public static GpuSpec? Match(string gpuType, double? memoryGigabytes, bool preferPcie, HardwareCatalog catalog, out string problem)
    {
        string type = Normalize(gpuType);
        List<GpuSpec> family = Family(type, catalog);
        if (family.Count == 0 && type.StartsWith("RTX", StringComparison.Ordinal))
        {
            family = Family(type[3..], catalog);
        }

        if (family.Count == 0)
        {
            problem = Invariant.Text(
                $"'{gpuType}' is not a GPU the catalog knows. Write a catalog GPU id or its family before the first dash (A100 with memory_gb 80 is A100-SXM-80GB); the catalog GPUs are {string.Join(", ", catalog.Gpus.Select(g => g.Id))}.");
            return null;
        }

        IEnumerable<GpuSpec> fitting = memoryGigabytes is null
            ? family
            : family.Where(g => Math.Abs(memoryGigabytes.Value - g.Memory.Gibibytes) <= MemoryTolerance * g.Memory.Gibibytes);
        GpuSpec? gpu = fitting.OrderBy(g => IsPcie(g) == preferPcie ? 0 : 1).FirstOrDefault();
        if (gpu is null)
        {
            string variants = string.Join(", ", family.Select(g => Invariant.Text($"{g.Id} ({ValueParsing.Format(g.Memory.Gibibytes)} GB)")));
            problem = Invariant.Text(
                $"'{gpuType}' with {ValueParsing.Format(memoryGigabytes ?? 0)} GB matches no catalog GPU; its variants are {variants}. Fix the memory, or add the GPU to a catalog folder (--catalog DIR).");
            return null;
        }

        problem = string.Empty;
        return gpu;
    }

    private static List<GpuSpec> Family(string type, HardwareCatalog catalog) =>
        type.Length == 0
            ? []
            : [.. catalog.Gpus.Where(g =>
            {
                string id = Normalize(g.Id);
                return string.Equals(id, type, StringComparison.Ordinal) || id.StartsWith(type + "-", StringComparison.Ordinal);
            })];

    private static bool IsPcie(GpuSpec gpu) => gpu.Id.Contains("PCIE", StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string name) => name.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
}
