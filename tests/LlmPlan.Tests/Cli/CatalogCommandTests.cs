using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Cli;

public class CatalogCommandTests
{
    [Theory]
    [InlineData("models")]
    [InlineData("gpus")]
    public void Should_match_the_golden_table_When_listing(string what)
    {
        CliResult result = CliRun.Run("catalog", what);
        Assert.Equal(0, result.ExitCode);
        Golden.Verify("Catalog", what, "txt", result.Output);
    }

    [Fact]
    public void Should_list_one_provider_When_filtered()
    {
        CliResult result = CliRun.Run("catalog", "instances", "--provider", "lambda");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("gpu_8x_h100_sxm5", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("p4d.24xlarge", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_price_per_gpu_quotes_per_instance_When_the_provider_bills_per_gpu()
    {
        // Given Lambda's 8×H100 quoted at 2.99 $ per GPU-hour, Then the instance costs 23.92 $/h (the seed took 2.99).
        var instance = TestHardware.Catalog.FindInstance("gpu_8x_h100_sxm5")!;
        Assert.Equal(23.92, instance.PricePerInstance.Value, 9);
        Assert.Equal(2.99, instance.PricePerGpu.Value, 9);
    }

    [Fact]
    public void Should_round_trip_When_the_csv_export_is_loaded_as_a_user_catalog()
    {
        // Given the exported catalog CSVs, When loaded back with --catalog, Then the catalog is unchanged.
        using var temp = new TempFolder();
        Assert.Equal(0, CliRun.Run("catalog", "models", "--out", Path.Combine(temp.Path, "models.csv")).ExitCode);
        Assert.Equal(0, CliRun.Run("catalog", "gpus", "--out", Path.Combine(temp.Path, "gpus.csv")).ExitCode);
        Assert.Equal(0, CliRun.Run("catalog", "instances", "--out", Path.Combine(temp.Path, "instances.csv")).ExitCode);
        var loaded = LlmPlan.Catalog.CatalogLoader.Load(temp.Path);
        Assert.Equal(TestHardware.Catalog.Models, loaded.Models);
        Assert.Equal(TestHardware.Catalog.Gpus, loaded.Gpus);
        Assert.Equal(TestHardware.Catalog.Instances.Count, loaded.Instances.Count);
    }

    [Fact]
    public void Should_add_a_user_gpu_and_report_every_bad_row_When_a_user_catalog_is_given()
    {
        using var temp = new TempFolder();
        temp.Write("gpus.csv", "id,name,vendor,architecture,memory_gib,memory_bandwidth_gbps,fp16_tflops,fp8_tflops,int8_tops,int4_tops,fp4_tflops,nvlink_gbps,pcie_gen,pcie_lanes,source,captured\n"
            + "MYGPU,My GPU,nvidia,hopper,96,4000,900,,,,,0,5,16,vendor sheet,2026-01-01\n"
            + "BAD,Bad GPU,nvidia,hopper,-1,fast,900,,,,,0,5,16,vendor sheet,2026-13-01\n");
        temp.Write("gpu-calibration.csv", "gpu,compute_efficiency,memory_efficiency,step_overhead_ms,collective_latency_us,source\nMYGPU,0.7,0.8,1,10,mine\nBAD,1.5,0.8,1,10,mine\n");
        var error = Assert.Throws<LlmPlan.Validation.InputValidationException>(() => LlmPlan.Catalog.CatalogLoader.Load(temp.Path));
        string gpus = Path.Combine(temp.Path, "gpus.csv");
        string calibration = Path.Combine(temp.Path, "gpu-calibration.csv");
        Assert.Equal(
            [
                $"{calibration} line 3, column 'compute_efficiency': 1.5 is out of range; an efficiency is a fraction in (0, 1].",
                $"{gpus} line 3, column 'memory_gib': -1 is out of range; it must be greater than 0.",
                $"{gpus} line 3, column 'memory_bandwidth_gbps': 'fast' is not a number. Write a finite number with '.' as the decimal separator.",
                $"{gpus} line 3, column 'captured': '2026-13-01' is not a date. Write it as yyyy-MM-dd, e.g. 2026-01-21.",
                $"{gpus} line 3, column 'id': GPU 'BAD' has no row in gpu-calibration.csv. Add one (llmplan calibrate writes it, or copy the defaults of its architecture).",
            ],
            error.Errors.Select(e => e.ToString()));

        File.Delete(Path.Combine(temp.Path, "gpus.csv"));
        temp.Write("gpus.csv", "id,name,vendor,architecture,memory_gib,memory_bandwidth_gbps,fp16_tflops,fp8_tflops,int8_tops,int4_tops,fp4_tflops,nvlink_gbps,pcie_gen,pcie_lanes,source,captured\n"
            + "MYGPU,My GPU,nvidia,hopper,96,4000,900,,,,,0,5,16,vendor sheet,2026-01-01\n");
        File.WriteAllText(calibration, "gpu,compute_efficiency,memory_efficiency,step_overhead_ms,collective_latency_us,source\nMYGPU,0.7,0.8,1,10,mine\n");
        var catalog = LlmPlan.Catalog.CatalogLoader.Load(temp.Path);
        Assert.Equal(96, catalog.FindGpu("MYGPU")!.Memory.Gibibytes, 9);
        Assert.Equal(Seconds.Zero, catalog.FindGpu("MYGPU")!.Calibration.SequenceOverhead);
        Assert.Equal(TestHardware.Catalog.Gpus.Count + 1, catalog.Gpus.Count);
    }

    [Fact]
    public void Should_read_the_per_sequence_overhead_When_the_calibration_has_the_column()
    {
        // Given a user calibration with the optional sequence_overhead_us column: 25 µs for one GPU, blank for another
        // and a negative value for a third
        using var temp = new TempFolder();
        string calibration = temp.Write("gpu-calibration.csv", "gpu,compute_efficiency,memory_efficiency,step_overhead_ms,collective_latency_us,sequence_overhead_us,source\n"
            + "H100-SXM-80GB,0.7,0.8,1,2,25,mine\nH200-SXM-141GB,0.7,0.8,1,2,,mine\nL4,0.7,0.8,1,2,-3,mine\n");

        // When loaded, Then the negative value is reported with its row and column
        var error = Assert.Throws<LlmPlan.Validation.InputValidationException>(() => LlmPlan.Catalog.CatalogLoader.Load(temp.Path));
        Assert.Equal(
            [$"{calibration} line 4, column 'sequence_overhead_us': -3 is out of range; it must be at least 0."],
            error.Errors.Select(e => e.ToString()));

        // And without that row, 25 µs is read and a blank is zero
        File.WriteAllText(calibration, "gpu,compute_efficiency,memory_efficiency,step_overhead_ms,collective_latency_us,sequence_overhead_us,source\n"
            + "H100-SXM-80GB,0.7,0.8,1,2,25,mine\nH200-SXM-141GB,0.7,0.8,1,2,,mine\n");
        var catalog = LlmPlan.Catalog.CatalogLoader.Load(temp.Path);
        Assert.Equal(25e-6, catalog.FindGpu("H100-SXM-80GB")!.Calibration.SequenceOverhead.Value, 15);
        Assert.Equal(Seconds.Zero, catalog.FindGpu("H200-SXM-141GB")!.Calibration.SequenceOverhead);
    }

    [Fact]
    public void Should_name_the_allowed_words_When_an_instance_row_has_an_unknown_basis_or_interconnect()
    {
        // Given a user instance quoted "per node" over "infiniband", When loaded, Then both columns are reported with the choices.
        using var temp = new TempFolder();
        string file = temp.Write("instances.csv", "provider,instance,gpu,gpu_count,price_usd_per_hour,price_basis,interconnect,vcpus,host_memory_gib,network_gbps,region,source,captured\n"
            + "acme,acme-8x,H100-SXM-80GB,8,20,node,infiniband,,,,,quote,2026-01-01\n");
        var error = Assert.Throws<LlmPlan.Validation.InputValidationException>(() => LlmPlan.Catalog.CatalogLoader.Load(temp.Path));
        Assert.Equal(
            [
                $"{file} line 2, column 'price_basis': 'node' is not a price basis. Write instance (the price is for the whole instance) or gpu (the price is per GPU-hour).",
                $"{file} line 2, column 'interconnect': 'infiniband' is not an interconnect. Write nvlink (NVLink, NVSwitch or Infinity Fabric) or pcie (PCIe only).",
            ],
            error.Errors.Select(e => e.ToString()));
    }
}
