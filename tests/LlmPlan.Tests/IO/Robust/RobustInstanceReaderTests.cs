using System.Text.Json.Nodes;
using LlmPlan.IO.Robust;
using LlmPlan.Planning.Robust;
using LlmPlan.Tests.Planning.Robust;
using LlmPlan.Validation;

namespace LlmPlan.Tests.IO.Robust;

public class RobustInstanceReaderTests
{
    private static string Edit(Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(RobustFixture.Path))!.AsObject();
        edit(root);
        return root.ToJsonString();
    }

    private static IReadOnlyList<string> Problems(string text)
    {
        var errors = new InputErrors();
        RobustInstance? instance = RobustInstanceReader.Parse("inst.json", text, errors);
        Assert.True(instance is null == errors.All.Count > 0);
        return [.. errors.All.Select(e => e.ToString())];
    }

    [Fact]
    public void Should_report_every_problem_with_its_field_When_an_instance_is_malformed()
    {
        // Given an instance with an unknown key, a ragged table row, a negative rate, a repeated model and no scalars
        string text = Edit(root =>
        {
            root["budget"] = 5;
            root["error_nominal"]![1]![2]!.AsArray().RemoveAt(0);
            root["query_types"]![0]!["arrival_rate_per_hour"] = -3;
            root["models"]![1]!["name"] = root["models"]![0]!["name"]!.GetValue<string>();
            root.Remove("scalars");
        });

        // When read, Then every problem is listed with where it is
        IReadOnlyList<string> problems = Problems(text);
        Assert.Equal(
            [
                "inst.json line 1, field 'budget': unknown field. Known fields here: name, source, notes, query_types, models, gpu_tiers, tp_degrees, scalars, checksums, delay_nominal_ms_per_token, delay_deviation_ms_per_token, error_nominal, error_deviation.",
                "inst.json line 1, field 'query_types[0].arrival_rate_per_hour': -3 is out of range; it must be at least 0.",
                "inst.json line 1: field 'scalars' is missing: budget, horizon_hours, storage_capacity_gb, storage_price_per_gb_hour, kv_residency_time, gamma_delay, gamma_error.",
                "inst.json line 1, field 'models': the name 'Llama-3.2-1B' appears 2 times; names must be unique.",
                "inst.json line 1, field 'error_nominal[1][2]': has 9 values but there are 10 GPU tiers; give one value per tier.",
            ],
            problems);
    }

    [Fact]
    public void Should_never_throw_When_the_instance_is_mutated_at_random()
    {
        // Given seeded random mutations of the valid instance (a character dropped, doubled or replaced)
        string original = File.ReadAllText(RobustFixture.Path);
        var random = new Random(4242);
        const string Alphabet = "{}[],:\"-.0123456789eaxnNIl ";
        for (int i = 0; i < 150; i++)
        {
            var text = new System.Text.StringBuilder(original);
            for (int edits = random.Next(1, 4); edits > 0; edits--)
            {
                int at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text.Remove(at, 1); break;
                    case 1: text.Insert(at, text[at]); break;
                    default: text[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                }
            }

            // When parsed, Then it is an instance or a list of problems, never an exception
            var errors = new InputErrors();
            RobustInstance? instance = RobustInstanceReader.Parse("inst.json", text.ToString(), errors);
            Assert.True(instance is not null || errors.All.Count > 0, $"mutation {i}: no instance and no error");
        }
    }
}
