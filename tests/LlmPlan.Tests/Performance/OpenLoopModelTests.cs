using LlmPlan.Performance;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Performance;

public class OpenLoopModelTests
{
    [Fact]
    public void Should_achieve_the_offered_rate_with_latencies_growing_in_it_When_rates_are_below_capacity()
    {
        // Given random deployments and workloads on catalog GPUs, and random offered rates below their capacity
        var random = new Random(2026);
        string[] gpus = ["H100-SXM-80GB", "A100-SXM-80GB", "L40S", "L4"];
        for (int i = 0; i < 40; i++)
        {
            var gpu = TestHardware.Catalog.FindGpu(gpus[random.Next(gpus.Length)])!;
            Deployment d = TestHardware.Uniform("llama-3.1-8b", gpu, 1 << random.Next(3), 1);
            int s = 64 + random.Next(4000);
            int o = 2 + random.Next(500);
            double capacity = OpenLoopModel.Evaluate(d, s, o, null).Capacity.Value;
            double[] rates = [.. Enumerable.Range(0, 4).Select(_ => random.NextDouble() * capacity * 0.99).Order()];

            // When each rate is served
            var results = rates.Select(r => OpenLoopModel.Evaluate(d, s, o, RequestsPerSecond.FromRequestsPerSecond(r))).ToList();

            // Then it is achieved, not saturated, Little's law holds, and TPOT and TTFT never fall as the rate grows
            for (int k = 0; k < rates.Length; k++)
            {
                OpenLoopEvaluation e = results[k];
                Assert.False(e.Saturated);
                Assert.Equal(rates[k], e.Achieved.Value, 9);
                Assert.Equal(rates[k] * o, e.OutputTokensPerSecond.Value, 6);
                Assert.InRange(e.Running, 0, PerformanceModel.Evaluate(d, new Workload(s, o, null)).Concurrency);
                if (k > 0)
                {
                    Assert.True(e.TimePerOutputToken.Value >= results[k - 1].TimePerOutputToken.Value * (1 - 1e-12), $"case {i}: TPOT fell from {results[k - 1].TimePerOutputToken} to {e.TimePerOutputToken}");
                    Assert.True(e.TimeToFirstToken!.Value.Value >= results[k - 1].TimeToFirstToken!.Value.Value * (1 - 1e-12), $"case {i}: TTFT fell");
                }
            }
        }
    }

    [Fact]
    public void Should_complete_the_capacity_with_no_steady_ttft_When_the_rate_exceeds_it()
    {
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        Evaluation full = PerformanceModel.Evaluate(d, new Workload(1000, 48, null));

        OpenLoopEvaluation e = OpenLoopModel.Evaluate(d, 1000, 48, RequestsPerSecond.FromRequestsPerSecond(2 * full.RequestsPerSecond));

        Assert.True(e.Saturated);
        Assert.Null(e.TimeToFirstToken);
        Assert.Equal(full.RequestsPerSecond, e.Achieved.Value);
        Assert.Equal(full.TimePerOutputToken, e.TimePerOutputToken);
        Assert.Equal(256, e.Running);
    }

    [Fact]
    public void Should_interpolate_between_whole_concurrencies_When_the_rate_lies_between_theirs()
    {
        // Given the rate halfway between what 1 and 2 running sequences complete
        Deployment d = TestHardware.Uniform("llama-3.1-8b", TestHardware.RoundGpu(), 1, 1);
        Evaluation one = PerformanceModel.Evaluate(d, new Workload(1000, 48, 1));
        Evaluation two = PerformanceModel.Evaluate(d, new Workload(1000, 48, 2));
        double rate = (one.RequestsPerSecond + two.RequestsPerSecond) / 2;

        OpenLoopEvaluation e = OpenLoopModel.Evaluate(d, 1000, 48, RequestsPerSecond.FromRequestsPerSecond(rate));

        // Then 1.5 sequences run on average and the latencies are halfway too
        Assert.Equal(1.5, e.Running, 9);
        Assert.Equal((one.TimePerOutputToken.Value + two.TimePerOutputToken.Value) / 2, e.TimePerOutputToken.Value, 12);
        Assert.Equal((one.TimeToFirstToken.Value + two.TimeToFirstToken.Value) / 2, e.TimeToFirstToken!.Value.Value, 12);
    }
}
