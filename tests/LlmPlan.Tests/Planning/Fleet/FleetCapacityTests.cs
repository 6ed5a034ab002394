using LlmPlan.IO.Fleet;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Performance;
using LlmPlan.Planning.Fleet;
using LlmPlan.Tests.Infrastructure;
using LlmPlan.Units;

namespace LlmPlan.Tests.Planning.Fleet;

public class FleetCapacityTests
{
    private static readonly string Example = Path.Combine(CliRun.RepositoryRoot, "examples", "fleet", "llama-3.1-8b-spec.yaml");

    private static FleetSpec ReadExample() => FleetSpecFile.Read(Example, TestHardware.Catalog, new List<string>());

    [Fact]
    public void Should_be_the_best_rate_within_the_slos_When_a_bucket_is_profiled()
    {
        // Given the example spec (TPOT ≤ 60 ms, TTFT ≤ 2 s), When each unit is profiled, Then every positive capacity is
        // the model's request rate at the recorded concurrency, that concurrency meets both SLOs, and no other
        // concurrency up to the KV limit gives a higher rate within them.
        FleetSpec spec = ReadExample();
        var (problem, profiles) = FleetCapacity.Build(spec);
        Assert.Equal(36, problem.Buckets.Count);
        Assert.Equal(["g6.xlarge", "g5.xlarge", "g6e.xlarge", "H100-SXM-80GB"], profiles.Select(p => p.Candidate.Name));
        foreach (CandidateProfile p in profiles)
        {
            var (deployment, _) = LlmPlan.Cluster.UniformLayout.Build(spec.Model, p.Candidate.Hardware, 1, 1, spec.Weights, spec.KvCache);
            for (int b = 0; b < problem.Buckets.Count; b += 7)
            {
                var workload = (int n) => new Workload(spec.InputEdges[problem.Buckets[b].Row], spec.OutputEdges[problem.Buckets[b].Column], n);
                int max = PerformanceModel.Evaluate(deployment!, workload(1) with { Concurrency = null }).MaxConcurrency;
                double best = Enumerable.Range(1, max)
                    .Select(n => PerformanceModel.Evaluate(deployment!, workload(n)))
                    .Where(e => e.TimePerOutputToken <= spec.TimePerOutputToken!.Value && e.TimeToFirstToken <= spec.TimeToFirstToken!.Value)
                    .Select(e => e.RequestsPerSecond)
                    .DefaultIfEmpty(0)
                    .Max();
                Assert.Equal(best, p.Capacity[b].Value, 12);
            }
        }
    }

    [Fact]
    public void Should_never_lose_capacity_When_the_tpot_slo_is_relaxed()
    {
        FleetSpec spec = ReadExample();
        var (tight, _) = FleetCapacity.Build(spec);
        var (loose, _) = FleetCapacity.Build(spec with { TimePerOutputToken = Seconds.FromMilliseconds(120) });
        for (int g = 0; g < tight.Options.Count; g++)
        {
            Assert.All(Enumerable.Range(0, tight.Buckets.Count), b => Assert.True(loose.Options[g].Capacity[b] >= tight.Options[g].Capacity[b]));
        }
    }

    [Fact]
    public void Should_plan_an_optimal_fleet_When_the_example_spec_is_solved()
    {
        // Given llama-3.1-8b on L4 / A10G / L40S instances and H100 GPUs under a 60 ms TPOT SLO at 8 requests/s, Then
        // a proven cheapest fleet exists, costs no more than the best single type, and every type runs within 90 %.
        var (problem, _) = FleetCapacity.Build(ReadExample());
        FleetPlan plan = FleetPlanner.Plan(problem, CbcSolver.Instance);
        Assert.Equal(FleetStatus.Optimal, plan.Status);
        Assert.True(plan.CostPerHour.Value <= plan.BestSingleType!.CostPerHour!.Value.Value + 1e-9);
        Assert.All(plan.Allocations, a => Assert.True(a.Load <= (0.9 * a.Count) + 1e-9));
        Assert.Equal(problem.TotalRate.Value, plan.Assignments.Sum(a => a.Rate.Value), 9);
    }

    [Fact]
    public void Should_report_every_problem_When_a_spec_is_wrong_in_many_places()
    {
        string folder = Directory.CreateTempSubdirectory("fleet-spec").FullName;
        string path = Path.Combine(folder, "bad.yaml");
        File.WriteAllText(path, """
            model: llama-9
            rate: -1
            utilization: 1.5
            colour: red
            buckets:
              input_edges: [100, 50]
              output_edges: [10]
            distribution: [[0.5], [0.5]]
            candidates:
              - gpu: L4
                instance: g6.xlarge
              - instance: g6.xlarge
                tp: 2
              - gpu: NOPE
            """);
        var e = Assert.Throws<LlmPlan.Validation.InputValidationException>(() => FleetSpecFile.Read(path, TestHardware.Catalog, new List<string>()));
        Assert.Equal(
            [
                "bad.yaml line 4, field 'colour': unknown field. Known fields here: model, precision, kv_precision, provider, candidates, buckets, distribution, requests, rate, slice_factor, utilization, slo.",
                "bad.yaml line 1, field 'model': unknown model 'llama-9'. Did you mean llama-3.1-8b, llama-3.1-70b, llama-3.1-405b, llama-3.3-70b, llama-2-7b? 'llmplan catalog models' lists them; --catalog DIR adds your own.",
                "bad.yaml line 2, field 'rate': -1 is out of range; it must be at least 0.",
                "bad.yaml line 3, field 'utilization': must be at most 1 (the share of each unit's capacity to use, e.g. 0.8).",
                "bad.yaml line 6, field 'buckets.input_edges[1]': edges must increase: 50 follows 100.",
                "bad.yaml line 10, field 'candidates[0]': give exactly one of 'gpu' (a catalog GPU id) and 'instance' (a catalog instance name).",
                "bad.yaml line 13, field 'candidates[1].tp': TP 2 needs 2 GPUs but g6.xlarge has 1.",
                "bad.yaml line 14, field 'candidates[2].gpu': unknown GPU 'NOPE'. 'llmplan catalog gpus' lists them; --catalog DIR adds your own.",
            ],
            e.Errors.Select(x => x.ToString()));
    }

    [Fact]
    public void Should_bucket_the_requests_and_warn_about_longer_ones_When_a_requests_csv_is_given()
    {
        // Given edges [100, 1000] × [50, 500] and 5 requests, one of them with 3000 input tokens, Then the 4 inside are
        // counted: (10, 20) and (100, 50) in bucket (1, 1), (101, 51) in (2, 2), (1000, 500) in (2, 2); shares 0.5 and 0.5.
        string folder = Directory.CreateTempSubdirectory("fleet-requests").FullName;
        File.WriteAllText(Path.Combine(folder, "requests.csv"), "input_tokens,output_tokens\n10,20\n100,50\n101,51\n1000,500\n3000,10\n");
        string path = Path.Combine(folder, "spec.yaml");
        File.WriteAllText(path, """
            model: llama-3.1-8b
            rate: 4
            buckets: {input_edges: [100, 1000], output_edges: [50, 500]}
            requests: requests.csv
            candidates: [{gpu: L4}]
            """);
        var warnings = new List<string>();
        FleetSpec spec = FleetSpecFile.Read(path, TestHardware.Catalog, warnings);
        Assert.Equal([[0.5, 0.0], [0.0, 0.5]], spec.Distribution.Select(r => r.ToArray()).ToArray());
        Assert.Equal(["requests.csv: 1 of 5 requests are longer than the last bucket edge and are left out; add a larger edge to plan for them."], warnings);
        Assert.Equal(4, spec.SliceFactor);
    }
}
