using System.CommandLine;
using LlmPlan.Catalog;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO.Fleet;
using LlmPlan.Optimization;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Fleet;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan fleet CONFIG</c>: the cheapest mix of GPU types for a request-size distribution (Mélange).</summary>
internal static class FleetCommand
{
    public static Command Create()
    {
        var config = new Argument<string>("CONFIG")
        {
            Description = "A Mélange JSON config (gpu_info with cost and tputs per bucket, workload_distribution, total_request_rate, slice_factor), or a fleet spec (YAML/JSON with model, candidates, buckets, distribution or requests, rate, slo) whose throughputs come from the performance model. See docs/formats.md.",
        };
        var options = new FleetOptions();
        var output = CommonOptions.Out("Also write the plan as JSON: Mélange's keys (units per GPU name, cost) plus status, solve_seconds, allocations, assignments, single_type (and profiles for a spec).");
        var command = new Command("fleet", "Find the cheapest mix of GPU types (and how many of each) that serves a request rate spread over (input, output) length buckets, with an exact integer program on CBC. Exit 2 when no fleet can serve the load.")
        {
            config,
            output,
        };
        options.AddTo(command, withRate: true);
        command.SetAction(parse =>
        {
            TextWriter writer = parse.InvocationConfiguration.Output;
            var outErrors = new InputErrors();
            CommonOptions.RefuseInputAsOutput(parse.GetValue(output), "--out", [parse.GetValue(config)], outErrors);
            outErrors.ThrowIfAny();

            var (problem, profiles, warnings) = options.Load(parse, parse.GetValue(config)!);
            foreach (string warning in warnings)
            {
                parse.InvocationConfiguration.Error.WriteLine($"warning: {warning}");
            }

            FleetPlan plan = FleetPlanner.Plan(problem, CbcSolver.Instance, options.SolverOptions(parse));
            FleetReport.Write(writer, plan, problem, profiles);
            if (parse.GetValue(output) is string path)
            {
                CommonOptions.WriteFile(path, FleetPlanWriter.Json(plan, problem, profiles));
            }

            return (int)(plan.Status == FleetStatus.Infeasible ? ExitCode.Infeasible : ExitCode.Ok);
        });
        return command;
    }
}

/// <summary>The options of the fleet verbs, and loading a config or spec with them applied.</summary>
internal sealed class FleetOptions
{
    private readonly Option<double?> _rate = new("--rate") { Description = "Total request rate in requests/s; replaces the file's.", HelpName = "R" };
    private readonly Option<int?> _slices = new("--slice-factor") { Description = "Slices per bucket (a bucket may be split over GPU types in that many equal parts); replaces the file's. Mélange's default 1, a spec's 4.", HelpName = "F" };
    private readonly Option<double?> _utilization = new("--utilization") { Description = "Share of each GPU's capacity the plan may use, in (0, 1]: 0.8 keeps 20 % headroom. Default 1 (the file's for a spec).", HelpName = "U" };
    private readonly Option<double?> _timeLimit = new("--time-limit") { Description = "Stop the solver after this many seconds and report the best fleet found (status feasible).", HelpName = "S" };
    private readonly Option<string?> _catalog = CommonOptions.Catalog();

    public void AddTo(Command command, bool withRate)
    {
        if (withRate)
        {
            command.Add(_rate);
        }

        command.Add(_slices);
        command.Add(_utilization);
        command.Add(_timeLimit);
        command.Add(_catalog);
    }

    public SolverOptions SolverOptions(ParseResult parse) => FleetPlanner.DefaultSolverOptions with
    {
        TimeLimit = parse.GetValue(_timeLimit) is double s ? Seconds.FromSeconds(s) : null,
        Log = parse.GetValue(CliApp.Verbose),
    };

    /// <summary>Loads a Mélange config or a spec, applying the flags, with every input error at once.</summary>
    public (FleetProblem Problem, IReadOnlyList<CandidateProfile>? Profiles, IReadOnlyList<string> Warnings) Load(ParseResult parse, string path, RequestsPerSecond? rateOverride = null)
    {
        var errors = new InputErrors();
        double? rate = parse.GetValue(_rate);
        int? slices = parse.GetValue(_slices);
        double? utilization = parse.GetValue(_utilization);
        if (rate is double r && !(r >= 0 && double.IsFinite(r)))
        {
            errors.Add("--rate", "must be a number ≥ 0 (requests/s).");
        }

        if (slices is < 1)
        {
            errors.Add("--slice-factor", "must be an integer ≥ 1.");
        }

        if (utilization is double u && !(u > 0 && u <= 1))
        {
            errors.Add("--utilization", "must be in (0, 1], e.g. 0.8 for 20 % headroom.");
        }

        if (parse.GetValue(_timeLimit) is double t && !(t > 0 && double.IsFinite(t)))
        {
            errors.Add("--time-limit", "must be a positive number of seconds.");
        }

        errors.ThrowIfAny();
        RequestsPerSecond? rateValue = rateOverride ?? (rate is double given ? RequestsPerSecond.FromRequestsPerSecond(given) : null);
        var warnings = new List<string>();
        FleetProblem problem;
        IReadOnlyList<CandidateProfile>? profiles = null;
        if (FleetSpecFile.LooksLikeSpec(path))
        {
            HardwareCatalog catalog = CommonOptions.LoadCatalog(parse.GetValue(_catalog));
            FleetSpec spec = FleetSpecFile.Read(path, catalog, warnings);
            spec = spec with
            {
                Rate = rateValue ?? spec.Rate,
                SliceFactor = slices ?? spec.SliceFactor,
                Utilization = utilization ?? spec.Utilization,
            };
            (problem, profiles) = FleetCapacity.Build(spec);
        }
        else
        {
            MelangeConfig config = MelangeConfigReader.Read(path);
            warnings.AddRange(config.Warnings);
            problem = config.ToProblem(rateValue, slices);
            problem = problem with { Utilization = utilization ?? problem.Utilization };
        }

        return (problem, profiles, warnings);
    }
}
