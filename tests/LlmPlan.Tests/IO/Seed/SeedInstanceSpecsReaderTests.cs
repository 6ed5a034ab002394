using LlmPlan.Catalog;
using LlmPlan.IO.Seed;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Seed;

public sealed class SeedInstanceSpecsReaderTests : IDisposable
{
    private const string Header =
        "Cloud Provider,Instance Name,GPU Model,GPU Count,Internal GPU Interconnect Bandwidth,External Network Bandwidth,Price per Hour USD,num_gpus,vram_gb_per_gpu";

    private static readonly IReadOnlyList<CloudInstance> Example =
        SeedInstanceSpecsReader.Read(SeedTestFiles.Example("cloud_instances_specs.csv"), CatalogLoader.BuiltIn, new InputErrors());

    private readonly SeedTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static CloudInstance Named(string name) => Assert.Single(Example, i => i.Name == name);

    [Fact]
    public void Should_price_the_whole_node_When_the_price_string_says_per_gpu()
    {
        // Given: Lambda "H100 8-GPU", "$2.99 per GPU" (the seed took 2.99 as the price of all 8 GPUs).
        // When
        CloudInstance instance = Named("H100 8-GPU");

        // Then
        Assert.Equal(PriceBasis.Gpu, instance.PriceBasis);
        Assert.Equal(2.99, instance.QuotedPrice.Value);
        Assert.Equal(23.92, instance.PricePerInstance.Value, 1e-9);
        Assert.Equal(("lambda", "H100-SXM-80GB", 8, Interconnect.Nvlink), (instance.Provider, instance.Gpu.Id, instance.GpuCount, instance.Interconnect));
    }

    [Fact]
    public void Should_take_the_mean_of_a_price_range_When_the_string_gives_two_numbers()
    {
        // Given: AWS p6-b200.48xlarge, "$140-160 (estimated)", 3200 Gbps, B200 written as 192 GB.
        // When
        CloudInstance instance = Named("p6-b200.48xlarge");

        // Then
        Assert.Equal((PriceBasis.Instance, 150.0), (instance.PriceBasis, instance.QuotedPrice.Value));
        Assert.Equal("B200", instance.Gpu.Id);
        Assert.Equal(400e9, instance.NetworkBandwidth!.Value.Value);
        Assert.Equal(("aws", "cloud_instances_specs.csv line 2", new DateOnly(2026, 3, 22)), (instance.Provider, instance.Source, instance.Captured));
    }

    [Fact]
    public void Should_drop_the_rows_that_cannot_be_planned_When_the_gpu_is_unknown_or_the_price_is_missing()
    {
        // Given: the 83 rows of examples/seed/cloud_instances_specs.csv.
        // When
        string[] names = [.. Example.Select(i => i.Name)];

        // Then: 12 rows have GPUs the catalog lacks (K80 ×3, Radeon Pro V520 ×3, GB300 ×2, GB200, RTX A5000, RTX A4000,
        // Quadro RTX 6000) and CoreWeave's "HGX B200" says "Contact"; the priced Nebius "HGX B200" is kept.
        Assert.Equal(70, names.Length);
        Assert.DoesNotContain("p2.xlarge", names);
        Assert.DoesNotContain("g4ad.16xlarge", names);
        Assert.DoesNotContain("GB300 NVL72", names);
        Assert.DoesNotContain("RTX A5000", names);
        Assert.Equal(("nebius", 5.50), (Named("HGX B200").Provider, Named("HGX B200").QuotedPrice.Value));
    }

    [Theory]
    [InlineData("A100 80GB NVLink", "A100-SXM-80GB", Interconnect.Nvlink)]
    [InlineData("A100 80GB PCIe", "A100-PCIe-80GB", Interconnect.Pcie)]
    [InlineData("p4d.24xlarge", "A100-SXM-40GB", Interconnect.Nvlink)]
    [InlineData("A10", "A10", Interconnect.Pcie)]
    [InlineData("g5.xlarge", "A10G", Interconnect.Pcie)]
    [InlineData("RTX A6000", "A6000", Interconnect.Pcie)]
    [InlineData("Standard_ND96amsr_MI300X_v5", "MI300X", Interconnect.Nvlink)]
    [InlineData("g6e.4xlarge", "L40S", Interconnect.Pcie)]
    public void Should_map_the_gpu_by_family_and_memory_When_the_row_is_read(string instance, string gpuId, Interconnect interconnect)
    {
        // Given / When
        CloudInstance read = Named(instance);

        // Then
        Assert.Equal((gpuId, interconnect), (read.Gpu.Id, read.Interconnect));
    }

    [Fact]
    public void Should_parse_counts_and_qualitative_bandwidth_When_the_cells_are_free_text()
    {
        // Given
        string path = _files.Write(
            "cloud_instances_specs.csv",
            Header,
            "AWS,old-a,T4,1-8,-,High,$0.50,,16",
            "AWS,old-b,T4,4,-,Up to 25 Gigabit,~$2.00,,16",
            "AWS,old-c,T4,4,-,Variable,$2.00,,16");
        var errors = new InputErrors();

        // When
        IReadOnlyList<CloudInstance> instances = SeedInstanceSpecsReader.Read(path, CatalogLoader.BuiltIn, errors);

        // Then: High is 25 Gbit/s, "Up to 25" is 25, Variable is unknown; "1-8" GPUs is 1, as in the seed.
        Assert.Empty(errors.All);
        Assert.Equal([1, 4, 4], instances.Select(i => i.GpuCount));
        Assert.Equal([25e9 / 8, 25e9 / 8, null], instances.Select(i => i.NetworkBandwidth?.Value));
    }

    [Fact]
    public void Should_report_the_cell_When_a_plannable_row_has_no_gpu_count()
    {
        // Given
        string path = _files.Write("cloud_instances_specs.csv", Header, "AWS,odd,T4,several,-,High,$0.50,,16");
        var errors = new InputErrors();

        // When
        IReadOnlyList<CloudInstance> instances = SeedInstanceSpecsReader.Read(path, CatalogLoader.BuiltIn, errors);

        // Then
        Assert.Empty(instances);
        Assert.Equal(
            [new InputError("cloud_instances_specs.csv line 2, column 'GPU Count'", "'several' has no GPU count. Write the number of GPUs, or fill in num_gpus.")],
            errors.All);
    }
}
