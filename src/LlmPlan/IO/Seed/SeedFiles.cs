namespace LlmPlan.IO.Seed;

/// <summary>The file names of the seed's config directory (the Python "LLM Placement Solver") and the date its inputs
/// are pinned to.</summary>
/// <remarks>The seed keeps <c>config.csv</c> in the config directory and, at HEAD, the shared pool, network and instance
/// table in its parent (<c>config/</c>); see <c>shared/specs/seed-placement-solver.md</c> §2.</remarks>
public static class SeedFiles
{
    /// <summary>The model and solver settings, <c>parameter,value</c> rows.</summary>
    public const string Config = "config.csv";

    /// <summary>The GPU pool, per instance (HEAD) or per GPU type (Era A).</summary>
    public const string Pool = "gpu_pool.csv";

    /// <summary>The GPU-to-GPU bandwidth matrix in GB/s.</summary>
    public const string Network = "network_bandwidth.csv";

    /// <summary>The seed's table of cloud instances.</summary>
    public const string InstanceSpecs = "cloud_instances_specs.csv";

    /// <summary>The provider id given to the synthetic instances of an Era A per-GPU-type pool.</summary>
    public const string Provider = "seed";

    /// <summary>The date of the seed's HEAD commit (2026-03-22), used as the capture date of what is read from seed files.
    /// A file's write time would make the result depend on the checkout, so it is not used.</summary>
    public static readonly DateOnly HeadDate = new(2026, 3, 22);
}
