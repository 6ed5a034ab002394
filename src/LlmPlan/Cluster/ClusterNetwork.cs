using LlmPlan.Catalog;
using LlmPlan.Units;

namespace LlmPlan.Cluster;

/// <summary>How fast GPUs talk: inside one machine (tensor parallelism, and stages that share a machine) and between two
/// machines (pipeline links). Machines of one instance type are interchangeable.</summary>
/// <remarks>Three sources: the catalog (the instance's NVLink or PCIe inside, its network between machines, the slower
/// side of a link, 10 Gbit/s when the catalog does not say); one generated pair of rates (the seed's
/// <c>--generate-network INTRA INTER</c>); or the seed's GPU × GPU matrix, read per instance type: inside, the slowest
/// pair of GPUs of any machine of the type; between two types (or two machines of one type), the slowest pair of GPUs
/// between their machines.</remarks>
public sealed record ClusterNetwork
{
    private readonly Dictionary<string, BytesPerSecond>? _intra;
    private readonly Dictionary<(string, string), BytesPerSecond>? _between;
    private readonly BytesPerSecond? _generatedIntra;
    private readonly BytesPerSecond? _generatedInter;

    private ClusterNetwork(string source, Dictionary<string, BytesPerSecond>? intra, Dictionary<(string, string), BytesPerSecond>? between, BytesPerSecond? generatedIntra, BytesPerSecond? generatedInter)
    {
        Source = source;
        _intra = intra;
        _between = between;
        _generatedIntra = generatedIntra;
        _generatedInter = generatedInter;
    }

    /// <summary>Gets the rates from the catalog's interconnects and networks.</summary>
    public static ClusterNetwork FromCatalog { get; } = new("catalog interconnects", null, null, null, null);

    /// <summary>Gets where the rates come from, for reports.</summary>
    public string Source { get; }

    /// <summary>One rate inside every machine and one between any two machines.</summary>
    /// <param name="intra">The bandwidth between two GPUs of one machine, in one direction.</param>
    /// <param name="inter">The bandwidth between two machines, in one direction.</param>
    /// <returns>The network.</returns>
    public static ClusterNetwork Generated(BytesPerSecond intra, BytesPerSecond inter) =>
        new(Invariant.Text($"generated: {intra.GigabytesPerSecond:0.###} GB/s inside a machine, {inter.GigabytesPerSecond:0.###} GB/s between machines"), null, null, intra, inter);

    /// <summary>Reads a GPU × GPU matrix per instance type (see remarks).</summary>
    /// <param name="matrix">The matrix, by global GPU id in the pool's order.</param>
    /// <param name="pool">The pool the ids refer to.</param>
    /// <returns>The network.</returns>
    public static ClusterNetwork FromMatrix(NetworkMatrix matrix, InstancePool pool)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentOutOfRangeException.ThrowIfNotEqual(matrix.GpuCount, pool.GpuCount);
        var machines = pool.Machines;
        var intra = new Dictionary<string, BytesPerSecond>(StringComparer.Ordinal);
        var between = new Dictionary<(string, string), BytesPerSecond>();
        for (int a = 0; a < machines.Count; a++)
        {
            var (_, typeA, firstA) = machines[a];
            for (int b = a; b < machines.Count; b++)
            {
                var (_, typeB, firstB) = machines[b];
                BytesPerSecond? slowest = null;
                for (int i = 0; i < typeA.GpuCount; i++)
                {
                    for (int j = 0; j < typeB.GpuCount; j++)
                    {
                        if (a == b && i == j)
                        {
                            continue;
                        }

                        BytesPerSecond forward = matrix.Between(firstA + i, firstB + j);
                        BytesPerSecond backward = matrix.Between(firstB + j, firstA + i);
                        BytesPerSecond pair = forward <= backward ? forward : backward;
                        slowest = slowest is null || pair < slowest.Value ? pair : slowest;
                    }
                }

                if (slowest is null)
                {
                    continue;
                }

                if (a == b)
                {
                    intra[typeA.Name] = intra.TryGetValue(typeA.Name, out BytesPerSecond known) && known <= slowest.Value ? known : slowest.Value;
                }
                else
                {
                    Lower(between, (typeA.Name, typeB.Name), slowest.Value);
                    Lower(between, (typeB.Name, typeA.Name), slowest.Value);
                }
            }
        }

        return new ClusterNetwork("the network matrix, per instance type (slowest pair)", intra, between, null, null);
    }

    /// <summary>The bandwidth between two GPUs of one machine of a type.</summary>
    /// <param name="instance">The instance type.</param>
    /// <returns>The bandwidth in one direction.</returns>
    public BytesPerSecond Intra(CloudInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (_generatedIntra is { } generated)
        {
            return generated;
        }

        return _intra is not null && _intra.TryGetValue(instance.Name, out BytesPerSecond value) ? value : instance.IntraInstanceBandwidth;
    }

    /// <summary>The bandwidth between two different machines.</summary>
    /// <param name="from">The first machine's type.</param>
    /// <param name="to">The second machine's type.</param>
    /// <returns>The bandwidth in one direction.</returns>
    public BytesPerSecond Between(CloudInstance from, CloudInstance to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (_generatedInter is { } generated)
        {
            return generated;
        }

        if (_between is not null && _between.TryGetValue((from.Name, to.Name), out BytesPerSecond value))
        {
            return value;
        }

        BytesPerSecond a = from.NetworkBandwidth ?? UniformLayout.DefaultNetworkBandwidth;
        BytesPerSecond b = to.NetworkBandwidth ?? UniformLayout.DefaultNetworkBandwidth;
        return a <= b ? a : b;
    }

    private static void Lower(Dictionary<(string, string), BytesPerSecond> map, (string, string) key, BytesPerSecond value)
    {
        if (!map.TryGetValue(key, out BytesPerSecond known) || value < known)
        {
            map[key] = value;
        }
    }
}
