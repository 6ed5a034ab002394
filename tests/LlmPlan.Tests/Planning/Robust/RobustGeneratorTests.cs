using LlmPlan.IO.Robust;
using LlmPlan.Planning.Robust;

namespace LlmPlan.Tests.Planning.Robust;

public class RobustGeneratorTests
{
    [Fact]
    public void Should_equal_the_seeds_instance_bit_for_bit_When_seed_42_is_generated()
    {
        // Given the instance the seed's generator wrote for seed 42.
        RobustInstance expected = RobustInstanceReader.Read(RobustFixture.Path);

        // When
        RobustInstance actual = RobustGenerator.Generate(42);

        // Then every value is the same double, and the spec's spot values hold.
        RobustFixture.AssertSameValues(expected, actual);
        Assert.Equal("rodiu-seed42", actual.Name);
        Assert.Equal([118, 88, 114, 47, 40, 16], actual.QueryClasses.Select(q => q.ArrivalRatePerHour));
        Assert.Equal(0.00496884623716487, actual.Scalars.StoragePricePerGigabyteHour);
        Assert.Equal(0.1609958111295275, actual.DelayNominal[0, 0, 0]);
        Assert.Equal(17.955590219470157, actual.DelayNominal[5, 3, 0]);
        Assert.Equal(0.02696086083956122, actual.DelayDeviation[0, 0, 0]);
        Assert.Equal(0.05998068485593392, actual.DelayDeviation[5, 5, 9]);
        Assert.Equal(0.0902144564127061, actual.ErrorNominal[0, 0, 0]);
        Assert.Equal(0.018179609997888247, actual.ErrorDeviation[0, 0, 0]);
        Assert.Equal(0.006986321413502, actual.ErrorDeviation[5, 5, 9]);
    }

    [Fact]
    public void Should_give_numpys_checksums_When_seed_42_is_summed_pairwise()
    {
        // Given seed 42, When each table is summed as numpy's .sum() does, Then the sums are the fixture's exactly.
        RobustInstance instance = RobustGenerator.Generate(42);
        Assert.Equal(462.0552825682376, RobustInstanceWriter.NumpySum(instance.DelayNominal.Values));
        Assert.Equal(77.95886518194885, RobustInstanceWriter.NumpySum(instance.DelayDeviation.Values));
        Assert.Equal(13.05979463791071, RobustInstanceWriter.NumpySum(instance.ErrorNominal.Values));
        Assert.Equal(2.348601645683205, RobustInstanceWriter.NumpySum(instance.ErrorDeviation.Values));
    }

    [Fact]
    public void Should_draw_within_the_seeds_ranges_When_another_seed_is_generated()
    {
        // Given seed 7, When generated, Then λ lies in its randint range, the deviations are 10–25 % of the nominal
        // values, and two runs agree.
        RobustInstance instance = RobustGenerator.Generate(7);
        (int Lo, int Hi)[] ranges = [(80, 120), (60, 100), (100, 140), (40, 80), (20, 60), (10, 30)];
        Assert.All(instance.QueryClasses.Zip(ranges), p => Assert.InRange(p.First.ArrivalRatePerHour, p.Second.Lo, p.Second.Hi - 1));
        Assert.All(instance.DelayNominal.Values.Zip(instance.DelayDeviation.Values), p => Assert.InRange(p.Second / p.First, 0.1 - 1e-12, 0.25 + 1e-12));
        Assert.All(instance.ErrorNominal.Values.Zip(instance.ErrorDeviation.Values), p => Assert.InRange(p.Second / p.First, 0.1 - 1e-12, 0.25 + 1e-12));
        RobustFixture.AssertSameValues(instance, RobustGenerator.Generate(7));
        Assert.NotEqual(RobustGenerator.Generate(42).QueryClasses, instance.QueryClasses);
    }
}
