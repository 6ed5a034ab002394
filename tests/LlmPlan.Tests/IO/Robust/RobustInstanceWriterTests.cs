using LlmPlan.IO;
using LlmPlan.IO.Robust;
using LlmPlan.Planning.Robust;
using LlmPlan.Tests.Planning.Robust;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Robust;

public class RobustInstanceWriterTests
{
    private static RobustInstance Parse(string json)
    {
        var errors = new InputErrors();
        RobustInstance? instance = RobustInstanceReader.Parse("written.json", json, errors);
        Assert.Empty(errors.All);
        return instance!;
    }

    [Fact]
    public void Should_give_the_fixtures_bytes_When_the_fixture_is_read_and_written()
    {
        // Given the seed-42 fixture (Python's json.dump, indent 1, floats as repr).
        string text = File.ReadAllText(RobustFixture.Path);

        // When it is read and written again.
        string written = RobustInstanceWriter.Json(RobustInstanceReader.Read(RobustFixture.Path));

        // Then the text is the same, byte for byte, checksums included, and it reads back to the same values.
        Assert.Equal(text, written);
        RobustFixture.AssertSameValues(RobustInstanceReader.Read(RobustFixture.Path), Parse(written));
    }

    [Fact]
    public void Should_read_back_the_same_values_When_a_generated_instance_is_written()
    {
        // Given seed 42 generated, When written and read back, Then every value is the fixture's, the name, source and
        // notes survive, and only the source line differs from the fixture.
        RobustInstance generated = RobustGenerator.Generate(42);
        string written = RobustInstanceWriter.Json(generated);
        RobustInstance read = Parse(written);
        RobustFixture.AssertSameValues(RobustInstanceReader.Read(RobustFixture.Path), read);
        Assert.Equal((generated.Name, generated.Source), (read.Name, read.Source));
        Assert.Equal(generated.Notes, read.Notes);
        string[] expected = File.ReadAllLines(RobustFixture.Path);
        string[] lines = written.Split('\n')[..^1];
        Assert.Equal(expected.Length, lines.Length);
        Assert.Equal([2], Enumerable.Range(0, lines.Length).Where(i => lines[i] != expected[i]));
    }

    [Theory]
    [InlineData(2.0, "2.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1483.5, "1483.5")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1.2345678901234567e20, "1.2345678901234567e+20")]
    [InlineData(-3.25, "-3.25")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(12345.678, "12345.678")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1e-300, "1e-300")]
    [InlineData(0.1609958111295275, "0.1609958111295275")]
    [InlineData(17.955590219470157, "17.955590219470157")]
    public void Should_write_what_python_repr_writes_When_a_float_is_formatted(double value, string expected)
    {
        // Given a double, When formatted, Then the text is Python's repr and reads back as the same double.
        string text = PythonJson.Repr(value);
        Assert.Equal(expected, text);
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Should_lay_out_and_escape_as_python_json_When_a_value_is_dumped()
    {
        // Given nested values with escapes, non-ASCII text and empty containers, When dumped with indent 1, Then the text
        // is Python's json.dumps(value, indent=1) (its output pasted here).
        PythonJson.Value value = PythonJson.Object(("k\u00e9", PythonJson.Array(
        [
            PythonJson.String("a\"b\\c\nd \u00e9\u0001\u007f\U0001F600 <&>/"),
            PythonJson.Float(1.0),
            PythonJson.Float(1e-05),
            PythonJson.Array([]),
            PythonJson.Object(),
            PythonJson.Array([PythonJson.Integer(1), PythonJson.Array([PythonJson.Float(2.5)])]),
        ])));
        string expected = """
            {
             "k\u00e9": [
              "a\"b\\c\nd \u00e9\u0001\u007f\ud83d\ude00 <&>/",
              1.0,
              1e-05,
              [],
              {},
              [
               1,
               [
                2.5
               ]
              ]
             ]
            }

            """;
        Assert.Equal(expected, PythonJson.Dump(value, indent: 1));
    }

    [Fact]
    public void Should_round_trip_every_double_When_random_values_are_formatted()
    {
        // Given doubles over many magnitudes, When formatted, Then each parses back to the same bits.
        var random = new Random(1);
        for (int n = 0; n < 20000; n++)
        {
            double value = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (double.IsFinite(value))
            {
                Assert.Equal(value, double.Parse(PythonJson.Repr(value), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }
}
