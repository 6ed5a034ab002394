using LlmPlan.IO;

namespace LlmPlan.Tests.IO;

public class JsonTextTests
{
    [Theory]
    [InlineData(-1e-12, 6, "0")]
    [InlineData(-0.0, 3, "0")]
    [InlineData(1e-12, 6, "0")]
    [InlineData(-0.0000012, 6, "-1E-06")]
    [InlineData(2.5, 0, "3")]
    [InlineData(-2.5, 0, "-3")]
    public void Should_write_the_rounded_value_and_never_minus_zero_When_a_number_is_written(double value, int decimals, string expected)
    {
        // Given a value and the decimals kept, When written, Then it is rounded half away from zero, and a value that
        // rounds to zero from below is written as 0 (not -0).
        string json = JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.Number("x", value, decimals);
            w.WriteEndObject();
        });

        Assert.Equal("{\n  \"x\": " + expected + "\n}\n", json);
    }
}
