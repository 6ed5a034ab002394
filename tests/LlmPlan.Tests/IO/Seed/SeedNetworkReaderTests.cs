using LlmPlan.Cluster;
using LlmPlan.IO.Seed;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Seed;

public sealed class SeedNetworkReaderTests : IDisposable
{
    private readonly SeedTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Should_read_gigabytes_per_second_When_the_medium_matrix_is_read()
    {
        // Given: medium, A100 GPUs 0-7 then L40 8-19; 300 GB/s within a type, 100 across, 10000 on the diagonal.
        var errors = new InputErrors();

        // When
        NetworkMatrix? matrix = SeedNetworkReader.Read(SeedTestFiles.Example("medium", "network_bandwidth.csv"), 44, errors);

        // Then
        Assert.Empty(errors.All);
        Assert.NotNull(matrix);
        Assert.Equal(44, matrix.GpuCount);
        Assert.Equal((300e9, 100e9, 10000e9), (matrix.Between(0, 7).Value, matrix.Between(7, 8).Value, matrix.Between(5, 5).Value));
    }

    [Fact]
    public void Should_say_how_to_fix_it_When_the_matrix_does_not_fit_the_pool()
    {
        // Given: a 2×2 matrix for a 3-GPU pool.
        string path = _files.Write("network_bandwidth.csv", ",gpu_0,gpu_1", "gpu_0,10000,100", "gpu_1,100,10000");
        var errors = new InputErrors();

        // When
        NetworkMatrix? matrix = SeedNetworkReader.Read(path, 3, errors);

        // Then
        Assert.Null(matrix);
        Assert.Equal(
            [new InputError("network_bandwidth.csv", "the pool has 3 GPUs but the matrix is 2×2; it must be 3×3. Regenerate it for this pool (one row and one column per GPU, in pool order), for example with the seed's generate_network_bandwidth.py.")],
            errors.All);
    }

    [Fact]
    public void Should_report_every_bad_cell_and_label_When_the_matrix_is_malformed()
    {
        // Given
        string path = _files.Write("network_bandwidth.csv", ",gpu_0,gpu1", "gpu_0,10000,fast", "gpu_2,-5,10000", "gpu_2,1");
        var errors = new InputErrors();

        // When
        NetworkMatrix? matrix = SeedNetworkReader.Read(path, 3, errors);

        // Then
        Assert.Null(matrix);
        Assert.Equal(
            [
                new InputError("network_bandwidth.csv header, column 3", "'gpu1' should be 'gpu_1'; the columns are gpu_0, gpu_1, … in global GPU order."),
                new InputError("network_bandwidth.csv", "the pool has 3 GPUs but the matrix is 3×2; it must be 3×3. Regenerate it for this pool (one row and one column per GPU, in pool order), for example with the seed's generate_network_bandwidth.py."),
                new InputError("network_bandwidth.csv line 2, column 'gpu1'", "'fast' is not a number. Write a finite number with '.' as the decimal separator."),
                new InputError("network_bandwidth.csv line 3, row label", "'gpu_2' should be 'gpu_1'; row i is labelled gpu_i."),
                new InputError("network_bandwidth.csv line 3, column 'gpu_0'", "-5 is out of range; it must be at least 0."),
                new InputError("network_bandwidth.csv line 4", "the row has 2 cells but the header has 3. Give the label and one value per GPU."),
            ],
            errors.All);
    }
}
