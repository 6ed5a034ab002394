using LlmPlan.Planning.Robust;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Planning.Robust;

/// <summary>The seed-42 robust instance and a bit-exact comparison of instances.</summary>
public static class RobustFixture
{
    /// <summary>examples/robust/seed42-instance.json: a byte copy of the shared fixture
    /// (../shared/data/robust/seed42-instance.json, written by the seed's own generator under numpy 1.24.2), kept in the
    /// repository so that the tests run without the shared folder.</summary>
    public static readonly string Path = System.IO.Path.Combine(CliRun.RepositoryRoot, "examples", "robust", "seed42-instance.json");

    /// <summary>Asserts that two instances hold the same names, integers and doubles, bit for bit.</summary>
    public static void AssertSameValues(RobustInstance expected, RobustInstance actual)
    {
        // Records compare doubles with Equals (== for finite values).
        Assert.Equal(expected.QueryClasses, actual.QueryClasses);
        Assert.Equal(expected.Models, actual.Models);
        Assert.Equal(expected.Tiers, actual.Tiers);
        Assert.Equal(expected.TpDegrees, actual.TpDegrees);
        Assert.Equal(expected.Scalars, actual.Scalars);
        Assert.Equal(Bits(expected.DelayNominal), Bits(actual.DelayNominal));
        Assert.Equal(Bits(expected.DelayDeviation), Bits(actual.DelayDeviation));
        Assert.Equal(Bits(expected.ErrorNominal), Bits(actual.ErrorNominal));
        Assert.Equal(Bits(expected.ErrorDeviation), Bits(actual.ErrorDeviation));
    }

    private static long[] Bits(Table3 table)
    {
        Assert.Equal((6, 6, 10), (table.Classes, table.Models, table.Tiers));
        return [.. table.Values.Select(BitConverter.DoubleToInt64Bits)];
    }
}
