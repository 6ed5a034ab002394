using LlmPlan.Catalog;
using LlmPlan.IO.Seed;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Seed;

public sealed class SeedConfigDirectoryTests : IDisposable
{
    private readonly SeedTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static SeedConfigDirectory? Load(string directory, InputErrors errors, string provider = "aws") =>
        SeedConfigDirectory.Load(directory, CatalogLoader.BuiltIn, provider, errors);

    [Fact]
    public void Should_load_config_pool_and_network_When_the_hal_directory_is_read()
    {
        // Given
        var errors = new InputErrors();

        // When
        SeedConfigDirectory? hal = Load(SeedTestFiles.Example("hal"), errors);

        // Then
        Assert.Empty(errors.All);
        Assert.NotNull(hal);
        Assert.Equal((80, 22016), (hal.Model.Layers, hal.Model.FfnSize));
        Assert.Equal(64, hal.Pool.GpuCount);
        Assert.Equal("V100-SXM-16GB", Assert.Single(hal.Pool.Entries).Instance.Gpu.Id);
        Assert.Equal(64, hal.Network!.GpuCount);
        Assert.Equal((300e9, 100e9), (hal.Network.Between(0, 3).Value, hal.Network.Between(3, 4).Value));
        Assert.Equal(SeedTestFiles.Example("hal", "network_bandwidth.csv"), hal.NetworkPath);
        Assert.Equal(SeedTestFiles.Example("cloud_instances_specs.csv"), hal.InstanceSpecsPath);
    }

    [Fact]
    public void Should_load_the_80_gpu_matrix_When_the_large_directory_is_read()
    {
        // Given
        var errors = new InputErrors();

        // When
        SeedConfigDirectory? large = Load(SeedTestFiles.Example("large"), errors);

        // Then: A100 0-7, V100 8-15.
        Assert.Empty(errors.All);
        Assert.Equal((80, 80), (large!.Pool.GpuCount, large.Network!.GpuCount));
        Assert.Equal((300e9, 100e9), (large.Network.Between(8, 15).Value, large.Network.Between(7, 8).Value));
        Assert.Equal(28672, large.Config.FfnSize);
    }

    [Fact]
    public void Should_read_the_shared_instance_table_from_the_parent_When_the_head_directory_has_no_network()
    {
        // Given
        var errors = new InputErrors();

        // When
        SeedConfigDirectory? head = Load(SeedTestFiles.Example("aws-llama3-70b"), errors);

        // Then
        Assert.Empty(errors.All);
        Assert.Null(head!.Network);
        Assert.Null(head.NetworkPath);
        Assert.Equal(SeedTestFiles.Example("cloud_instances_specs.csv"), head.InstanceSpecsPath);
        Assert.Equal(70, head.InstanceSpecs.Count);
        Assert.Equal((12, 632), (head.Pool.Entries.Count, head.Pool.GpuCount));
        Assert.Equal(("llama3-70b", 8), (head.Model.Id, head.Model.KvHeads));
    }

    [Fact]
    public void Should_report_every_file_error_When_the_medium_directory_is_read_for_aws()
    {
        // Given: medium's L40 and A10 have no price on AWS.
        var errors = new InputErrors();

        // When
        SeedConfigDirectory? medium = Load(SeedTestFiles.Example("medium"), errors);

        // Then
        Assert.Null(medium);
        Assert.Equal(
            ["gpu_pool.csv line 3, column 'dollar_per_hour'"],
            errors.All.Select(e => e.Location));
    }

    [Fact]
    public void Should_load_medium_with_its_44_gpu_matrix_When_the_pool_has_prices()
    {
        // Given: medium's config and network, with prices added to its pool.
        string dir = Path.Combine(_files.Root, "medium");
        Directory.CreateDirectory(dir);
        File.Copy(SeedTestFiles.Example("medium", "config.csv"), Path.Combine(dir, "config.csv"));
        File.Copy(SeedTestFiles.Example("medium", "network_bandwidth.csv"), Path.Combine(dir, "network_bandwidth.csv"));
        _files.Write("medium/gpu_pool.csv", "gpu_type,count,memory_gb,dollar_per_hour", "A100,8,80,3", "L40,12,48,1.5", "A10,12,24,0.75", "V100,12,32,1");
        var errors = new InputErrors();

        // When
        SeedConfigDirectory? medium = Load(dir, errors);

        // Then
        Assert.Empty(errors.All);
        Assert.Equal((44, 44), (medium!.Pool.GpuCount, medium.Network!.GpuCount));
        Assert.Equal((32, 8192, 22016), (medium.Model.Layers, medium.Model.HiddenSize, medium.Model.FfnSize));
        Assert.Null(medium.InstanceSpecsPath);
    }

    [Fact]
    public void Should_read_the_pool_from_the_parent_When_the_config_directory_has_none()
    {
        // Given: config/ holds the pool, config/model/ the config (the seed's HEAD layout).
        string config = File.ReadAllText(SeedTestFiles.Example("large", "config.csv"));
        string model = Path.Combine(_files.Root, "config", "model");
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, "config.csv"), config);
        string pool = _files.Write("config/gpu_pool.csv", "instance_name,count", "p4d.24xlarge,2");
        var errors = new InputErrors();

        // When
        SeedConfigDirectory? loaded = Load(model + Path.DirectorySeparatorChar, errors);

        // Then
        Assert.Empty(errors.All);
        Assert.Equal(pool, loaded!.PoolPath);
        Assert.Equal(16, loaded.Pool.GpuCount);
    }

    [Fact]
    public void Should_name_both_places_looked_When_there_is_no_pool()
    {
        // Given
        string model = Path.Combine(_files.Root, "model");
        Directory.CreateDirectory(model);
        File.Copy(SeedTestFiles.Example("large", "config.csv"), Path.Combine(model, "config.csv"));
        var errors = new InputErrors();

        // When
        SeedConfigDirectory? loaded = Load(model, errors);

        // Then
        Assert.Null(loaded);
        Assert.Equal(
            [new InputError(model, $"gpu_pool.csv is not in {Path.Combine(model, "gpu_pool.csv")} or {Path.Combine(_files.Root, "gpu_pool.csv")}. Put the pool in one of them (instance_name,count or gpu_type,count,memory_gb rows).")],
            errors.All);
    }

    [Fact]
    public void Should_report_the_missing_config_When_the_directory_has_no_config_csv()
    {
        // Given
        _files.Write("gpu_pool.csv", "instance_name,count", "p4d.24xlarge,2");
        var errors = new InputErrors();

        // When
        SeedConfigDirectory? loaded = Load(_files.Root, errors);

        // Then
        Assert.Null(loaded);
        Assert.Equal(
            [new InputError(Path.Combine(_files.Root, "config.csv"), "the file does not exist. A seed config directory holds config.csv (parameter,value rows).")],
            errors.All);
    }
}
