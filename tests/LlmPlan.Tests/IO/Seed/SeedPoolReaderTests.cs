using LlmPlan.Catalog;
using LlmPlan.Cluster;
using LlmPlan.IO.Seed;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Seed;

public sealed class SeedPoolReaderTests : IDisposable
{
    private static readonly IReadOnlyList<CloudInstance> Specs =
        SeedInstanceSpecsReader.Read(SeedTestFiles.Example("cloud_instances_specs.csv"), CatalogLoader.BuiltIn, new InputErrors());

    private readonly SeedTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static InstancePool? Read(string path, InputErrors errors, string provider = "aws") =>
        SeedPoolReader.Read(path, CatalogLoader.BuiltIn, Specs, provider, errors);

    [Fact]
    public void Should_build_one_instance_per_gpu_type_When_the_large_era_a_pool_is_read()
    {
        // Given
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(SeedTestFiles.Example("large", "gpu_pool.csv"), errors);

        // Then: the per-GPU prices of the file, A10 as the A10 (not an A100); each row split into nodes of up to 8 GPUs
        // (20 = 5 × 4), billed per GPU used as the seed billed these pools.
        Assert.Empty(errors.All);
        Assert.NotNull(pool);
        Assert.Equal(80, pool.GpuCount);
        Assert.Equal(
            [
                ("A100", "A100-SXM-80GB", 8, 1, 3.00, Interconnect.Nvlink), ("V100", "V100-SXM-32GB", 8, 1, 1.00, Interconnect.Nvlink),
                ("H100", "H100-SXM-80GB", 4, 1, 4.20, Interconnect.Nvlink), ("T4", "T4", 4, 5, 0.40, Interconnect.Pcie),
                ("L20", "L20", 4, 5, 0.90, Interconnect.Pcie), ("A10", "A10", 4, 5, 1.00, Interconnect.Pcie),
            ],
            pool.Entries.Select(e => (e.Instance.Name, e.Instance.Gpu.Id, e.Instance.GpuCount, e.Count, e.Instance.QuotedPrice.Value, e.Instance.Interconnect)));
        Assert.All(pool.Entries, e => Assert.Equal((true, PriceBasis.Gpu, "seed", ""), (e.Instance.BilledPerGpu, e.Instance.PriceBasis, e.Instance.Provider, e.Instance.Region)));
        Assert.Equal(24.00, pool.Entries[0].Instance.PricePerInstance.Value, 1e-9);
        Assert.Equal(6.00, pool.Entries[0].Instance.PriceFor(2).Value, 1e-9);
        Assert.Equal("gpu_pool.csv line 2", pool.Entries[0].Instance.Source);
    }

    [Fact]
    public void Should_take_the_cheapest_provider_price_When_an_era_a_row_has_no_price()
    {
        // Given: hal, 64 V100 16 GB; AWS p3.2xlarge, p3.8xlarge and p3.16xlarge all cost 3.06 per GPU-hour.
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(SeedTestFiles.Example("hal", "gpu_pool.csv"), errors);

        // Then
        Assert.Empty(errors.All);
        PoolEntry entry = Assert.Single(pool!.Entries);
        Assert.Equal(("V100", "V100-SXM-16GB", 8, 8, 3.06), (entry.Instance.Name, entry.Instance.Gpu.Id, entry.Instance.GpuCount, entry.Count, entry.Instance.QuotedPrice.Value));
        Assert.Equal("gpu_pool.csv line 2; price per GPU of aws p3.2xlarge", entry.Instance.Source);
    }

    [Fact]
    public void Should_report_the_gpus_without_a_price_When_the_medium_pool_is_read_for_aws()
    {
        // Given: medium has no prices; AWS rents no L40 and no A10 (its A10G is another GPU), so A10 takes Lambda's
        // gpu_1x_a10 price and L40, which no catalog provider rents, has none. The seed priced them by substring, L40 as
        // an L40S and A10 as the cheaper of A10G and A100.
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(SeedTestFiles.Example("medium", "gpu_pool.csv"), errors);

        // Then
        Assert.Null(pool);
        Assert.Equal(
            [
                new InputError("gpu_pool.csv line 3, column 'dollar_per_hour'", "no price is known for L40 (L40): no catalog instance of any provider has that GPU. Add a dollar_per_hour column with the price per GPU-hour (or an instance with it to a --catalog folder)."),
            ],
            errors.All);
    }

    [Fact]
    public void Should_price_A10_as_the_A10_When_the_provider_rents_it()
    {
        // Given: Lambda's gpu_1x_a10 costs 0.75 per GPU-hour; Lambda's A100s cost 1.29 and more.
        string path = _files.Write("gpu_pool.csv", "gpu_type,count,memory_gb", "A10,4,24");
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(path, errors, "lambda");

        // Then
        Assert.Empty(errors.All);
        CloudInstance instance = Assert.Single(pool!.Entries).Instance;
        Assert.Equal(("A10", 0.75, "gpu_pool.csv line 2; price per GPU of lambda gpu_1x_a10"), (instance.Gpu.Id, instance.QuotedPrice.Value, instance.Source));
    }

    [Fact]
    public void Should_map_every_medium_gpu_type_When_prices_are_given()
    {
        // Given: medium's pool with a price column.
        string path = _files.Write("gpu_pool.csv", "gpu_type,count,memory_gb,dollar_per_hour", "A100,8,80,3", "L40,12,48,1.5", "A10,12,24,0.75", "V100,12,32,1");
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(path, errors);

        // Then
        Assert.Empty(errors.All);
        Assert.Equal(44, pool!.GpuCount);
        Assert.Equal(
            [("A100", "A100-SXM-80GB"), ("L40", "L40"), ("A10", "A10"), ("V100", "V100-SXM-32GB")],
            pool.Entries.Select(e => (e.Instance.Name, e.Instance.Gpu.Id)));
    }

    [Fact]
    public void Should_look_up_catalog_instances_When_the_head_pool_is_read()
    {
        // Given
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(SeedTestFiles.Example("aws-llama3-70b", "gpu_pool.csv"), errors);

        // Then: 632 GPUs, not the seed's 552: the catalog's g6.12xlarge and g6e.12xlarge have 4 GPUs where the seed's
        // table says 2 (spec §6.8), and the catalog is looked up first.
        Assert.Empty(errors.All);
        Assert.Equal(12, pool!.Entries.Count);
        Assert.Equal(632, pool.GpuCount);
        PoolEntry g6e = pool.Entries[6];
        Assert.Same(CatalogLoader.BuiltIn.FindInstance("g6e.12xlarge"), g6e.Instance);
        Assert.Equal((20, 4, "L40S"), (g6e.Count, g6e.Instance.GpuCount, g6e.Instance.Gpu.Id));
    }

    [Fact]
    public void Should_use_the_seed_table_and_the_price_override_When_the_catalog_lacks_the_instance()
    {
        // Given: Lambda's "H100 8-GPU" exists only in cloud_instances_specs.csv.
        string path = _files.Write("gpu_pool.csv", "instance_name,count,dollar_per_hour", "H100 8-GPU,2,", "p4d.24xlarge,1,20.5");
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(path, errors);

        // Then
        Assert.Empty(errors.All);
        Assert.Equal((PriceBasis.Gpu, 23.92), (pool!.Entries[0].Instance.PriceBasis, Math.Round(pool.Entries[0].Instance.PricePerInstance.Value, 9)));
        CloudInstance p4d = pool.Entries[1].Instance;
        Assert.Equal((PriceBasis.Instance, 20.5, 20.5), (p4d.PriceBasis, p4d.QuotedPrice.Value, p4d.PricePerInstance.Value));
        Assert.EndsWith("; price per instance-hour overridden by gpu_pool.csv line 3", p4d.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_suggest_close_names_When_an_instance_is_unknown()
    {
        // Given: a typo, and p2.xlarge, whose K80 cannot be planned.
        string path = _files.Write("gpu_pool.csv", "instance_name,count", "p4d.24xlarg,2", "p2.xlarge,1");
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(path, errors);

        // Then
        Assert.Null(pool);
        Assert.Equal(
            [
                new InputError("gpu_pool.csv line 2, column 'instance_name'", "unknown instance 'p4d.24xlarg'. Did you mean p4d.24xlarge? 'llmplan catalog instances' lists them; --catalog DIR adds your own."),
                new InputError("gpu_pool.csv line 3, column 'instance_name'", "unknown instance 'p2.xlarge'. 'llmplan catalog instances' lists them; --catalog DIR adds your own."),
            ],
            errors.All);
    }

    [Fact]
    public void Should_report_duplicates_counts_and_gpus_When_rows_are_bad()
    {
        // Given
        string path = _files.Write("gpu_pool.csv", "gpu_type,count,memory_gb", "A100,8,80", "a100,2,80", "V100,0,32", "V100X,2,32", "V100,3,24");
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(path, errors);

        // Then
        Assert.Null(pool);
        string gpus = string.Join(", ", CatalogLoader.BuiltIn.Gpus.Select(g => g.Id));
        Assert.Equal(
            [
                new InputError("gpu_pool.csv line 3, column 'gpu_type'", "'a100' is listed twice (first on line 2). Keep one row per gpu_type and add up the counts."),
                new InputError("gpu_pool.csv line 4, column 'count'", "0 is out of range; it must be at least 1."),
                new InputError("gpu_pool.csv line 5, column 'gpu_type'", $"'V100X' is not a GPU the catalog knows. Write a catalog GPU id or its family before the first dash (A100 with memory_gb 80 is A100-SXM-80GB); the catalog GPUs are {gpus}."),
                new InputError("gpu_pool.csv line 6, column 'gpu_type'", "'V100' is listed twice (first on line 4). Keep one row per gpu_type and add up the counts."),
            ],
            errors.All);
    }

    [Fact]
    public void Should_list_the_variants_When_the_memory_matches_none()
    {
        // Given
        string path = _files.Write("gpu_pool.csv", "gpu_type,count,memory_gb", "V100,4,24");
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(path, errors);

        // Then
        Assert.Null(pool);
        Assert.Equal(
            [new InputError("gpu_pool.csv line 2, column 'gpu_type'", "'V100' with 24 GB matches no catalog GPU; its variants are V100-SXM-16GB (16 GB), V100-SXM-32GB (32 GB). Fix the memory, or add the GPU to a catalog folder (--catalog DIR).")],
            errors.All);
    }

    [Fact]
    public void Should_name_both_forms_When_the_header_is_neither()
    {
        // Given
        string path = _files.Write("gpu_pool.csv", "gpu,count", "A100,8");
        var errors = new InputErrors();

        // When
        InstancePool? pool = Read(path, errors);

        // Then
        Assert.Null(pool);
        Assert.Equal(
            [new InputError("gpu_pool.csv header", "the header must be instance_name,count[,dollar_per_hour] (a pool of cloud instances) or gpu_type,count,memory_gb[,dollar_per_hour] (a pool of GPUs by type).")],
            errors.All);
    }
}
