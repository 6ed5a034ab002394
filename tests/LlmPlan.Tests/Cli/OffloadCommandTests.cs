using System.Text.Json;
using LlmPlan.Tests.Infrastructure;

namespace LlmPlan.Tests.Cli;

public class OffloadCommandTests
{
    [Fact]
    public void Should_print_the_ranking_And_write_json_When_infersaves_offline_case_is_planned_with_its_flags()
    {
        // Given InferSave's offline case in InferSave's own flags and names, counting prompt tokens as its TPS does
        using var folder = new TempFolder();
        string json = Path.Combine(folder.Path, "plan.json");

        // When planned
        CliResult r = CliRun.Run("offload", "--model", "OPT-2.7B", "--batch-size", "32", "--input-len", "1024", "--output-len", "128", "--slo-tps", "100", "--tokens", "total", "--precision", "2", "--instances", "T4,A10G,L4,L40S", "--out", json);

        // Then it exits 0 with the reviewed report and JSON
        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Offload", "infersave-offline", "txt", r.Output);
        Golden.Verify("Offload", "infersave-offline", "json", File.ReadAllText(json));
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement best = doc.RootElement.GetProperty("best");
        Assert.Equal("g4dn.xlarge", best.GetProperty("instance").GetString());
        Assert.Equal(12_079_595_520, doc.RootElement.GetProperty("kv_cache_bytes").GetDouble());
        Assert.Equal(4, doc.RootElement.GetProperty("candidates").GetArrayLength());
        Assert.True(best.GetProperty("offload_fraction").GetDouble() > 0);
    }

    [Fact]
    public void Should_write_one_csv_row_per_candidate_When_out_ends_in_csv()
    {
        using var folder = new TempFolder();
        string csv = Path.Combine(folder.Path, "plan.csv");

        CliResult r = CliRun.Run("offload", "--model", "opt-2.7b", "--batch-size", "32", "--input-tokens", "128", "--output-tokens", "512", "--requests", "3000", "--billing", "hour", "--instances", "g4dn.xlarge,g6.xlarge", "--out", csv);

        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Offload", "online-3000-requests", "csv", File.ReadAllText(csv));
    }

    [Fact]
    public void Should_plan_a_machine_of_ones_own_When_given_a_gpu_and_host_memory()
    {
        // Given FlexGen's machine: one T4 with 208 GB of host memory, OPT-30B, batch 144 of 512 + 32 tokens
        CliResult r = CliRun.Run("offload", "--model", "opt-30b", "--batch-size", "144", "--input-tokens", "512", "--output-tokens", "32", "--gpu", "T4", "--host-memory", "208", "--allow-weight-offload");

        // Then weights and KV go to host memory and no cost is shown
        Assert.Equal(0, r.ExitCode);
        Golden.Verify("Offload", "flexgen-opt-30b", "txt", r.Output);
    }

    [Fact]
    public void Should_exit_2_with_the_reason_per_machine_When_no_machine_can_run_the_job()
    {
        CliResult r = CliRun.Run("offload", "--model", "opt-66b", "--batch-size", "8", "--input-tokens", "128", "--output-tokens", "128", "--instances", "g4dn.xlarge,g6e.xlarge");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("infeasible: no machine can run the job:\n  g4dn.xlarge: weights alone do not fit: weights (", r.Output, StringComparison.Ordinal);
        Assert.Contains("\n  g6e.xlarge: weights alone do not fit: weights (", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_refuse_a_machine_whose_gpu_count_does_not_split_the_heads()
    {
        // Given Qwen2.5-7B (28 heads) on an 8-GPU instance, which runs the model tensor-parallel over its 8 GPUs
        CliResult r = CliRun.Run("offload", "--model", "qwen2.5-7b", "--precision", "bf16", "--batch-size", "4", "--input-tokens", "128", "--output-tokens", "128", "--instances", "g5.48xlarge");

        // Then it cannot run there, and the reason says why
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("\n  g5.48xlarge: TP 8 does not divide the 28 attention heads of qwen2.5-7b; use a TP degree that divides it.\n", r.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_exit_2_saying_by_how_much_When_no_machine_reaches_the_target()
    {
        CliResult r = CliRun.Run("offload", "--model", "opt-1.3b", "--batch-size", "4", "--input-tokens", "128", "--output-tokens", "128", "--instances", "g4dn.xlarge", "--slo-tokens-per-s", "100000");

        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"infeasible: no machine reaches 100000 output tokens/s; the fastest, g4dn\.xlarge, reaches [0-9.]+ \([0-9.]+ % short\)\. Lower the target, or try --max-batch-size or other instances\.\n", r.Output);
    }

    [Fact]
    public void Should_exit_1_with_every_problem_When_the_flags_are_wrong()
    {
        CliResult r = CliRun.Run("offload", "--batch-size", "0", "--input-tokens", "128", "--precision", "fp32", "--tokens", "prompt", "--host-memory", "64", "--instances", "g4dn.xlarge,nope", "--host-link-gbps", "12:x", "--safety-factor", "1.5");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            """
            error: 9 problems with the input:
              --model: is required: a catalog model id, e.g. opt-2.7b (llmplan catalog models).
              --batch-size: 0 is out of range; it must be at least 1.
              --output-tokens: is required: the generated tokens per request, e.g. 512.
              --tokens: 'prompt' is not one of: output, total.
              --safety-factor: 1.5 is out of range; it is a fraction in (0, 1], e.g. 0.9.
              --precision: 'fp32' is not a precision. Use one of: fp16, bf16, fp8, int8, int4, fp4 (or 2 = fp16, 1 = int8 bytes per parameter).
              --host-link-gbps: 'x' is not a number. Write a finite number with '.' as the decimal separator.
              --host-memory: goes with --gpu only (a machine of your own); catalog instances have their own.
              --instances: unknown instance 'nope'. 'llmplan catalog instances' lists them; --catalog DIR adds your own.

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            r.Error);
    }

    [Fact]
    public void Should_refuse_a_machine_of_ones_own_without_host_memory()
    {
        CliResult r = CliRun.Run("offload", "--model", "opt-1.3b", "--batch-size", "4", "--input-tokens", "128", "--output-tokens", "128", "--gpu", "T4", "--provider", "gcp");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            """
            error: 2 problems with the input:
              --gpu: does not go with --instances or --provider: it plans one machine of your own. Drop one of them.
              --host-memory: is required with --gpu: the machine's host memory in GiB, e.g. 208.

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            r.Error);
    }

    [Fact]
    public void Should_compare_the_providers_single_gpu_instances_When_no_instances_are_named()
    {
        CliResult r = CliRun.Run("offload", "--model", "opt-6.7b", "--batch-size", "16", "--input-tokens", "512", "--output-tokens", "256");

        Assert.Equal(0, r.ExitCode);
        foreach (string instance in new[] { "g4dn.xlarge", "g5.xlarge", "g5.2xlarge", "g6.xlarge", "g6e.xlarge" })
        {
            Assert.Contains($"│ {instance} ", r.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("g5.12xlarge", r.Output, StringComparison.Ordinal);
    }
}
