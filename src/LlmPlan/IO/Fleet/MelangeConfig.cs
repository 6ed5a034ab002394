using LlmPlan.Planning.Fleet;
using LlmPlan.Units;

namespace LlmPlan.IO.Fleet;

/// <summary>One GPU type of a Mélange config: its price and the request rate one GPU sustains in each bucket.</summary>
public sealed record MelangeGpu
{
    /// <summary>Gets the GPU's name, the key under <c>gpu_info</c>, e.g. <c>A10G</c>; unique in a config.</summary>
    public required string Name { get; init; }

    /// <summary>Gets <c>cost</c>, the price of one GPU per hour (finite, at least 0).</summary>
    public required DollarsPerHour Cost { get; init; }

    /// <summary>Gets <c>tputs</c>: row i (input-length bucket), column j (output-length bucket) is the request rate one GPU
    /// sustains for requests of that bucket within the latency SLO; each at least 0, where 0 means it cannot meet the SLO
    /// there. The matrix has the shape of <see cref="MelangeConfig.Distribution"/>.</summary>
    public required IReadOnlyList<IReadOnlyList<RequestsPerSecond>> Tputs { get; init; }
}

/// <summary>The Mélange fleet planner's JSON config, as typed values.</summary>
/// <remarks>Keys follow <c>shared/specs/seed-melange-and-infersave.md</c> A2. Read it with
/// <see cref="MelangeConfigReader"/>, which guarantees the ranges and shapes documented here.</remarks>
public sealed record MelangeConfig
{
    /// <summary>Gets the file name the config was read from, as used in messages.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the GPU types of <c>gpu_info</c>, in file order; at least one.</summary>
    public required IReadOnlyList<MelangeGpu> Gpus { get; init; }

    /// <summary>Gets the GPU names, in file order.</summary>
    public IReadOnlyList<string> GpuNames => [.. Gpus.Select(g => g.Name)];

    /// <summary>Gets <c>workload_distribution</c>: row i (input-length bucket), column j (output-length bucket) is the
    /// fraction of requests in that bucket; at least 1×1, rectangular, each finite and at least 0. The fractions are kept
    /// as given even when they do not sum to 1 (see <see cref="Warnings"/>).</summary>
    public required IReadOnlyList<IReadOnlyList<double>> Distribution { get; init; }

    /// <summary>Gets the number of input-length buckets (rows of the distribution).</summary>
    public int Rows => Distribution.Count;

    /// <summary>Gets the number of output-length buckets (columns of the distribution).</summary>
    public int Columns => Distribution.Count == 0 ? 0 : Distribution[0].Count;

    /// <summary>Gets <c>total_request_rate</c> (or the older <c>overall_rate</c>), finite and at least 0.</summary>
    public required RequestsPerSecond TotalRate { get; init; }

    /// <summary>Gets the key the file used for the rate: <c>total_request_rate</c> or <c>overall_rate</c>.</summary>
    public required string RateKey { get; init; }

    /// <summary>Gets <c>slice_factor</c>, at least 1 (1 when the file does not give it).</summary>
    public required int SliceFactor { get; init; }

    /// <summary>Gets problems that do not stop the config from being used, each as <c>location: message</c>
    /// (a distribution that does not sum to 1, a bucket no GPU can serve, an ignored field).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Builds the fleet-sizing problem: one option per GPU (capacities row-major) and one bucket per cell of the
    /// distribution, row-major, whose rate is its fraction × the total rate (not normalised, as in Mélange).</summary>
    /// <param name="rateOverride">A total rate to use instead of <see cref="TotalRate"/>; at least 0.</param>
    /// <param name="sliceFactorOverride">A slice factor to use instead of <see cref="SliceFactor"/>; at least 1.</param>
    /// <returns>The problem, with utilization 1 (units fully loaded, as in Mélange).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or the slice factor below 1.</exception>
    /// <exception cref="InvalidOperationException">The config was not built by the reader and its matrices are not
    /// one shape.</exception>
    public FleetProblem ToProblem(RequestsPerSecond? rateOverride = null, int? sliceFactorOverride = null)
    {
        RequestsPerSecond rate = rateOverride ?? TotalRate;
        ArgumentOutOfRangeException.ThrowIfLessThan(rate.Value, 0.0, nameof(rateOverride));
        int sliceFactor = sliceFactorOverride ?? SliceFactor;
        ArgumentOutOfRangeException.ThrowIfLessThan(sliceFactor, 1, nameof(sliceFactorOverride));
        CheckShapes();
        return new FleetProblem
        {
            Options = [.. Gpus.Select(g => new FleetOption { Name = g.Name, CostPerHour = g.Cost, Capacity = [.. g.Tputs.SelectMany(row => row)] })],
            Buckets =
            [
                .. Distribution.SelectMany((row, i) => row.Select((fraction, j) => new FleetBucket
                {
                    Label = Invariant.Text($"(input {i + 1}, output {j + 1})"),
                    Row = i,
                    Column = j,
                    Rate = fraction * rate,
                })),
            ],
            SliceFactor = sliceFactor,
            Utilization = 1.0,
        };
    }

    private void CheckShapes()
    {
        if (Rows == 0 || Columns == 0 || Distribution.Any(row => row.Count != Columns))
        {
            throw new InvalidOperationException("The distribution must be a rectangular matrix of at least 1×1; read configs with MelangeConfigReader, which checks this.");
        }

        if (Gpus.FirstOrDefault(g => g.Tputs.Count != Rows || g.Tputs.Any(row => row.Count != Columns)) is MelangeGpu gpu)
        {
            throw new InvalidOperationException($"The tputs of GPU '{gpu.Name}' do not have the distribution's shape ({Invariant.Text($"{Rows}×{Columns}")}); read configs with MelangeConfigReader, which checks this.");
        }
    }
}
