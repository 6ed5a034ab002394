using LlmPlan.Validation;

namespace LlmPlan.Catalog;

/// <summary>The models, GPUs and cloud instances the planners know, in file order.</summary>
public sealed record HardwareCatalog
{
    /// <summary>Gets the model architectures.</summary>
    public required IReadOnlyList<ModelArchitecture> Models { get; init; }

    /// <summary>Gets the GPUs.</summary>
    public required IReadOnlyList<GpuSpec> Gpus { get; init; }

    /// <summary>Gets the cloud instances.</summary>
    public required IReadOnlyList<CloudInstance> Instances { get; init; }

    /// <summary>Gets the provider ids that have instances, in catalog order.</summary>
    public IReadOnlyList<string> Providers => [.. Instances.Select(i => i.Provider).Distinct(StringComparer.Ordinal)];

    /// <summary>Finds a model by id (case-insensitive).</summary>
    /// <param name="id">The model id.</param>
    /// <returns>The model, or null.</returns>
    public ModelArchitecture? FindModel(string id) => Models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Finds a GPU by id (case-insensitive).</summary>
    /// <param name="id">The GPU id.</param>
    /// <returns>The GPU, or null.</returns>
    public GpuSpec? FindGpu(string id) => Gpus.FirstOrDefault(g => string.Equals(g.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Finds an instance by name (case-insensitive).</summary>
    /// <param name="name">The instance name.</param>
    /// <returns>The instance, or null.</returns>
    public CloudInstance? FindInstance(string name) =>
        Instances.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The instance with the lowest price per GPU among those with <paramref name="gpu"/>: of
    /// <paramref name="provider"/> when it rents that GPU, otherwise of any provider (ties: catalog order).</summary>
    /// <param name="gpu">The GPU.</param>
    /// <param name="provider">A provider id, or null for any.</param>
    /// <returns>The instance, or null when no catalog instance has the GPU.</returns>
    public CloudInstance? CheapestPerGpu(GpuSpec gpu, string? provider)
    {
        ArgumentNullException.ThrowIfNull(gpu);
        var withGpu = Instances.Where(i => string.Equals(i.Gpu.Id, gpu.Id, StringComparison.Ordinal)).ToList();
        var ofProvider = withGpu.Where(i => provider is null || string.Equals(i.Provider, provider, StringComparison.OrdinalIgnoreCase)).ToList();
        return (ofProvider.Count > 0 ? ofProvider : withGpu).MinBy(i => i.PricePerGpu.Value);
    }

    /// <summary>Looks up a model, or records an error that lists close ids.</summary>
    /// <param name="id">The model id.</param>
    /// <param name="where">The location for the error message (a flag or file field).</param>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The model, or null.</returns>
    public ModelArchitecture? RequireModel(string id, string where, InputErrors errors) =>
        Require(FindModel(id), id, "model", Models.Select(m => m.Id), "llmplan catalog models", where, errors);

    /// <summary>Looks up a GPU, or records an error that lists close ids.</summary>
    /// <param name="id">The GPU id.</param>
    /// <param name="where">The location for the error message.</param>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The GPU, or null.</returns>
    public GpuSpec? RequireGpu(string id, string where, InputErrors errors) =>
        Require(FindGpu(id), id, "GPU", Gpus.Select(g => g.Id), "llmplan catalog gpus", where, errors);

    /// <summary>Looks up an instance, or records an error that lists close names.</summary>
    /// <param name="name">The instance name.</param>
    /// <param name="where">The location for the error message.</param>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The instance, or null.</returns>
    public CloudInstance? RequireInstance(string name, string where, InputErrors errors) =>
        Require(FindInstance(name), name, "instance", Instances.Select(i => i.Name), "llmplan catalog instances", where, errors);

    private static T? Require<T>(T? found, string id, string kind, IEnumerable<string> known, string listCommand, string where, InputErrors errors)
        where T : class
    {
        if (found is not null)
        {
            return found;
        }

        string[] close = [.. known.Where(k => IsClose(id, k)).Take(5)];
        string hint = close.Length > 0 ? $" Did you mean {string.Join(", ", close)}?" : string.Empty;
        errors.Add(where, $"unknown {kind} '{id}'.{hint} '{listCommand}' lists them; --catalog DIR adds your own.");
        return null;
    }

    /// <summary>A known id is close when one contains the other or they share a prefix of at least four characters.</summary>
    private static bool IsClose(string asked, string known)
    {
        string a = asked.ToLowerInvariant();
        string k = known.ToLowerInvariant();
        if (a.Length == 0)
        {
            return false;
        }

        int prefix = 0;
        while (prefix < a.Length && prefix < k.Length && a[prefix] == k[prefix])
        {
            prefix++;
        }

        return k.Contains(a, StringComparison.Ordinal) || a.Contains(k, StringComparison.Ordinal) || prefix >= Math.Min(4, a.Length);
    }
}
