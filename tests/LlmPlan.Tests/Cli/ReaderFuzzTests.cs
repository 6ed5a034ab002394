using System.Text;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

/// <summary>Every reader, fed seeded random garbage and random mutations of valid files, answers with exit 1 and a
/// message (or, when a mutation happens to stay valid, 0 or 2), never an unhandled exception.</summary>
public class ReaderFuzzTests
{
    private const int Cases = 60;

    private static readonly string Examples = Path.Combine(CliRun.RepositoryRoot, "examples");

    /// <summary>One reader: the file name it reads and the command line that reads it from a folder.</summary>
    public static TheoryData<string, string, string> Readers => new()
    {
        { "placement.yaml", Path.Combine(Examples, "evaluate", "llama-70b-mixed.yaml"), "placement" },
        { "placement.json", Path.Combine(Examples, "evaluate", "seed-placement-p4d.json"), "placement" },
        { "config.csv", Path.Combine(Examples, "seed", "large", "config.csv"), "config-dir" },
        { "gpu_pool.csv", Path.Combine(Examples, "seed", "large", "gpu_pool.csv"), "config-dir" },
        { "network_bandwidth.csv", Path.Combine(Examples, "seed", "medium", "network_bandwidth.csv"), "network" },
        { "cloud_instances_specs.csv", Path.Combine(Examples, "seed", "cloud_instances_specs.csv"), "config-dir" },
        { "models.csv", Path.Combine(CliRun.RepositoryRoot, "data", "models.csv"), "catalog" },
        { "gpus.csv", Path.Combine(CliRun.RepositoryRoot, "data", "gpus.csv"), "catalog" },
        { "gpu-calibration.csv", Path.Combine(CliRun.RepositoryRoot, "data", "gpu-calibration.csv"), "catalog" },
        { "instances.csv", Path.Combine(CliRun.RepositoryRoot, "data", "instances.csv"), "catalog" },
        { "melange.json", Path.Combine(Examples, "fleet", "melange-llama2-7b-arena.json"), "melange" },
        { "fleet-spec.yaml", Path.Combine(Examples, "fleet", "llama-3.1-8b-spec.yaml"), "fleet-spec" },
        { "measurements.csv", Path.Combine(Examples, "validate", "sample.csv"), "measurements" },
        { "serve.json", Path.Combine(Examples, "validate", "vllm", "serve-llama-3.1-8b-h100-c64.json"), "vllm" },
        { "throughput.json", Path.Combine(Examples, "validate", "vllm", "throughput-llama-3.1-8b-h100.json"), "vllm" },
        { "runs.jsonl", Path.Combine(Examples, "validate", "sglang", "bench-serving-llama-3.1-8b-h100.jsonl"), "sglang" },
    };

    [Theory]
    [MemberData(nameof(Readers))]
    public void Should_answer_with_a_message_and_never_crash_When_a_reader_gets_garbage(string file, string valid, string kind)
    {
        // A stable seed per file (string.GetHashCode is randomised per process).
        var random = new Random(file.Aggregate(0x5eed, (hash, c) => unchecked((hash * 31) + c)));
        string original = File.ReadAllText(valid);
        int rejected = 0;
        for (int i = 0; i < Cases; i++)
        {
            // Given a garbage or mutated file in a folder with the other valid files of its kind,
            using var temp = new TempFolder();
            if (kind == "config-dir")
            {
                foreach (string sibling in new[] { "config.csv", "gpu_pool.csv" })
                {
                    File.Copy(Path.Combine(Examples, "seed", "large", sibling), Path.Combine(temp.Path, sibling));
                }
            }

            string text = i % 3 == 0 ? Garbage(random) : Mutate(original, random);
            string path = temp.Write(file, text);
            string[] args = kind switch
            {
                "placement" => ["evaluate", "--placement", path, "--model", "llama-3.1-70b"],
                "config-dir" => ["evaluate", "--sweep", "--config-dir", temp.Path, "--output-tokens", "64", "--model", "llama-3.1-8b"],
                "fleet-spec" => ["fleet", path],
                "measurements" => ["validate", "--measurements", path, "--out", Path.Combine(temp.Path, "out")],
                "vllm" => ["measurements", "from-vllm", path, "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB", "--input-tokens", "1024", "--output-tokens", "128"],
                "sglang" => ["measurements", "from-sglang", path, "--model", "llama-3.1-8b", "--gpu", "H100-SXM-80GB"],
                _ => ["catalog", "models", "--catalog", temp.Path],
            };

            // When it is read, Then the answer is a clean exit with a message.
            CliResult result = kind switch
            {
                "network" => ReadNetwork(path),
                "melange" => ReadMelange(path),
                _ => CliRun.Run(args),
            };
            Assert.True(result.ExitCode is 0 or 1 or 2, $"exit {result.ExitCode} for case {i}: {result.Error}");
            Assert.DoesNotContain("internal failure", result.Error, StringComparison.Ordinal);
            if (result.ExitCode == 1)
            {
                rejected++;
                Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
            }
        }

        // The garbage third of the cases at least must be rejected, so the error path is exercised.
        Assert.True(rejected >= Cases / 3, $"only {rejected} of {Cases} cases were rejected");
    }

    /// <summary>No verb reads a network matrix yet (the uniform sweep derives links from the instances), so its reader
    /// is called directly and its outcome expressed like the command line's.</summary>
    private static CliResult ReadNetwork(string path)
    {
        var errors = new LlmPlan.Validation.InputErrors();
        LlmPlan.Cluster.NetworkMatrix? matrix = LlmPlan.IO.Seed.SeedNetworkReader.Read(path, 44, errors);
        Assert.Equal(matrix is null, errors.Any);
        return errors.Any ? new CliResult(1, string.Empty, "error: " + string.Join("\n", errors.All)) : new CliResult(0, string.Empty, string.Empty);
    }

    /// <summary>No verb reads a Mélange config yet, so its reader is called directly (and a config it accepts converted
    /// to a fleet problem); an invalid file must give an <see cref="LlmPlan.Validation.InputValidationException"/>.</summary>
    private static CliResult ReadMelange(string path)
    {
        try
        {
            LlmPlan.IO.Fleet.MelangeConfigReader.Read(path).ToProblem();
            return new CliResult(0, string.Empty, string.Empty);
        }
        catch (LlmPlan.Validation.InputValidationException e)
        {
            Assert.All(e.Errors, error => Assert.False(string.IsNullOrWhiteSpace(error.Message)));
            return new CliResult(1, string.Empty, "error: " + e.Message);
        }
    }

    private static string Garbage(Random random)
    {
        const string alphabet = "abc,;:\"'{}[]-#\n\r\t 0123456789.eE+-NaN∞µ\\/|!";
        var text = new StringBuilder();
        int length = random.Next(0, 400);
        for (int i = 0; i < length; i++)
        {
            text.Append(random.Next(10) == 0 ? (char)random.Next(1, 0xD7FF) : alphabet[random.Next(alphabet.Length)]);
        }

        return text.ToString();
    }

    /// <summary>Deletes, duplicates or replaces a few characters, lines or numbers of a valid file.</summary>
    private static string Mutate(string original, Random random)
    {
        var lines = original.Split('\n').ToList();
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits && lines.Count > 0; e++)
        {
            int line = random.Next(lines.Count);
            switch (random.Next(6))
            {
                case 0:
                    lines.RemoveAt(line);
                    break;
                case 1:
                    lines.Insert(line, lines[line]);
                    break;
                case 2:
                    lines[line] = lines[line].Replace(",", ",,", StringComparison.Ordinal);
                    break;
                case 3:
                    lines[line] = new string([.. lines[line].Select(c => char.IsDigit(c) && random.Next(3) == 0 ? "-x9."[random.Next(4)] : c)]);
                    break;
                case 4:
                    lines[line] = lines[line].Length > 2 ? lines[line][..random.Next(lines[line].Length)] : lines[line];
                    break;
                default:
                    string tail = Garbage(random);
                    lines[line] = lines[line] + tail[..Math.Min(8, tail.Length)];
                    break;
            }
        }

        return string.Join('\n', lines);
    }
}
