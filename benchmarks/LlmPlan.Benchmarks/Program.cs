using BenchmarkDotNet.Running;

namespace LlmPlan.Benchmarks;

/// <summary>Runs the benchmarks; pass <c>--filter '*'</c> (and <c>--job dry</c> for a smoke test).</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
