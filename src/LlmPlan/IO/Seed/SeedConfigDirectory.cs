using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.Validation;

namespace LlmPlan.IO.Seed;

/// <summary>A seed config directory read as a whole: the config, the model it describes, the pool and, when present, the
/// network matrix, with the paths they came from.</summary>
/// <remarks><c>config.csv</c> is read from the directory. <c>gpu_pool.csv</c>, <c>network_bandwidth.csv</c> and
/// <c>cloud_instances_specs.csv</c> are read from the directory itself, else from its parent, as the seed does at HEAD
/// (one shared pool in <c>config/</c>, one folder per model below it). Nothing is written.</remarks>
public sealed record SeedConfigDirectory
{
    /// <summary>Gets the config directory as given.</summary>
    public required string Directory { get; init; }

    /// <summary>Gets the path of the <c>config.csv</c> read.</summary>
    public required string ConfigPath { get; init; }

    /// <summary>Gets the path of the <c>gpu_pool.csv</c> read.</summary>
    public required string PoolPath { get; init; }

    /// <summary>Gets the path of the <c>network_bandwidth.csv</c> read, or null when there is none.</summary>
    public string? NetworkPath { get; init; }

    /// <summary>Gets the path of the <c>cloud_instances_specs.csv</c> read, or null when there is none.</summary>
    public string? InstanceSpecsPath { get; init; }

    /// <summary>Gets the config.</summary>
    public required SeedConfig Config { get; init; }

    /// <summary>Gets the model the config describes (<see cref="SeedConfig.ToModel"/>).</summary>
    public required ModelArchitecture Model { get; init; }

    /// <summary>Gets the pool.</summary>
    public required InstancePool Pool { get; init; }

    /// <summary>Gets the network matrix, or null when the directory and its parent have none (derive one from the pool).</summary>
    public NetworkMatrix? Network { get; init; }

    /// <summary>Gets the plannable instances of <c>cloud_instances_specs.csv</c> (empty without one).</summary>
    public required IReadOnlyList<CloudInstance> InstanceSpecs { get; init; }

    /// <summary>Reads a seed config directory.</summary>
    /// <param name="directory">The config directory (the seed's <c>--config-dir</c>).</param>
    /// <param name="catalog">The catalog holding instances and GPUs.</param>
    /// <param name="provider">The provider whose prices an Era A pool row without a price gets (e.g. <c>aws</c>).</param>
    /// <param name="errors">Collects every error found in every file.</param>
    /// <param name="readNetwork">Whether to read network_bandwidth.csv; callers that derive links from the instances
    /// (the uniform sweep) skip it, so a stale matrix does not stop them.</param>
    /// <returns>The directory's contents, or null when a required file is missing or any file has an error.</returns>
    public static SeedConfigDirectory? Load(string directory, HardwareCatalog catalog, string provider, InputErrors errors, bool readNetwork = true)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(errors);
        if (!System.IO.Directory.Exists(directory))
        {
            errors.Add(directory, "the config directory does not exist. Give a folder holding config.csv.");
            return null;
        }

        int before = errors.All.Count;
        string configPath = System.IO.Path.Combine(directory, SeedFiles.Config);
        SeedConfig? config = null;
        if (File.Exists(configPath))
        {
            config = SeedConfigReader.Read(configPath, errors);
        }
        else
        {
            errors.Add(configPath, "the file does not exist. A seed config directory holds config.csv (parameter,value rows).");
        }

        string? specsPath = Find(directory, SeedFiles.InstanceSpecs);
        IReadOnlyList<CloudInstance> specs = specsPath is null ? [] : SeedInstanceSpecsReader.Read(specsPath, catalog, errors);
        string? poolPath = Find(directory, SeedFiles.Pool);
        InstancePool? pool = null;
        if (poolPath is null)
        {
            errors.Add(directory, $"{SeedFiles.Pool} is not in {string.Join(" or ", Places(directory, SeedFiles.Pool))}. Put the pool in one of them (instance_name,count or gpu_type,count,memory_gb rows).");
        }
        else
        {
            pool = SeedPoolReader.Read(poolPath, catalog, specs, provider, errors);
        }

        string? networkPath = Find(directory, SeedFiles.Network);
        NetworkMatrix? network = !readNetwork || pool is null || networkPath is null ? null : SeedNetworkReader.Read(networkPath, pool.GpuCount, errors);
        if (errors.All.Count > before || config is null || pool is null || poolPath is null)
        {
            return null;
        }

        return new SeedConfigDirectory
        {
            Directory = directory,
            ConfigPath = configPath,
            PoolPath = poolPath,
            NetworkPath = networkPath,
            InstanceSpecsPath = specsPath,
            Config = config,
            Model = config.ToModel(),
            Pool = pool,
            Network = network,
            InstanceSpecs = specs,
        };
    }

    /// <summary>Every path <see cref="Load"/> may read for a config dir: its config.csv, and the pool, network and
    /// instance-spec files in it or its parent.</summary>
    /// <param name="directory">The config dir.</param>
    /// <returns>The paths, whether or not they exist.</returns>
    public static IReadOnlyList<string> InputFiles(string directory) =>
        [System.IO.Path.Combine(directory, SeedFiles.Config), .. new[] { SeedFiles.Pool, SeedFiles.Network, SeedFiles.InstanceSpecs }.SelectMany(f => Places(directory, f))];

    /// <summary>The places a shared file is looked for: the directory, then its parent.</summary>
    private static List<string> Places(string directory, string file)
    {
        var places = new List<string> { System.IO.Path.Combine(directory, file) };
        string? parent = System.IO.Path.GetDirectoryName(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory)));
        if (parent is not null)
        {
            places.Add(System.IO.Path.Combine(parent, file));
        }

        return places;
    }

    private static string? Find(string directory, string file) => Places(directory, file).FirstOrDefault(File.Exists);
}
