using System.CommandLine;
using System.Globalization;
using LlmPlan.Cli.Rendering;
using LlmPlan.IO;
using LlmPlan.IO.Robust;
using LlmPlan.Optimization;
using LlmPlan.Optimization.Cbc;
using LlmPlan.Planning.Robust;
using LlmPlan.Units;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary>The solve part of <c>llmplan robust INSTANCE</c>: the options shared with <c>sweep robust</c>, reading the
/// instance with them applied, and the action.</summary>
internal sealed class RobustSolveOptions
{
    private readonly Argument<string?> _instance = new("INSTANCE")
    {
        Description = "A robust instance JSON (examples/robust/seed42-instance.json; 'robust generate' writes more), or a spec YAML (examples/robust/llama-spec.yaml) that builds one from the catalog and the performance model (docs/formats.md §10).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string> _formulation = new("--formulation") { Description = "seed: the model behind the seed's published results (494.9981 on seed 42); corrected: rental counted once, delay d·r/n within the limit, the nominal delay cost in the objective, no 0.01·λ unmet cap (docs/robust.md).", DefaultValueFactory = _ => "corrected", HelpName = "seed|corrected" };
    private readonly Option<bool> _split = new("--split-traffic") { Description = "Corrected formulation: a query type may split its traffic over several (model, tier) pairs, so Γ between 1 and the number of pairs matters." };
    private readonly Option<bool> _deterministic = new("--deterministic") { Description = "No uncertainty (Γ_d = Γ_e = 0): the deterministic baseline." };
    private readonly Option<double?> _gammaDelay = new("--gamma-delay") { Description = "The delay uncertainty budget Γ_d per query type, instead of the instance's.", HelpName = "G" };
    private readonly Option<double?> _gammaError = new("--gamma-error") { Description = "The error uncertainty budget Γ_e per query type, instead of the instance's.", HelpName = "G" };
    private readonly Option<string[]> _scale = new("--scale") { Description = "Multiply a parameter before solving: gpu-price, budget, delay-threshold, error-threshold or gpu-memory, as NAME=FACTOR (repeatable).", HelpName = "NAME=F" };
    private readonly Option<double?> _timeLimit = new("--time-limit") { Description = "Stop the solver after this many seconds and report the best allocation found (status feasible).", HelpName = "S" };
    private readonly Option<double?> _gap = new("--gap") { Description = "Stop at this relative gap between the allocation and the best bound (default 1e-9: proven optimal).", HelpName = "G" };
    private readonly Option<int?> _simulate = new("--simulate") { Description = "Draw delays and errors N times inside the uncertainty set and report how often each query type breaks its limits, for this allocation and for the deterministic one side by side.", HelpName = "N" };
    private readonly Option<long> _simulateSeed = new("--simulate-seed") { Description = "The random seed of --simulate.", DefaultValueFactory = _ => 42, HelpName = "S" };
    private readonly Option<string?> _catalog = CommonOptions.Catalog();
    private readonly Option<string?> _out = CommonOptions.Out("Also write the solution as JSON: status, objective, breakdown, deployments, routing, unmet, constraints, gap, solve_seconds (and simulation).");

    /// <summary>Adds INSTANCE and the formulation and solver flags; <paramref name="withSolve"/> adds the flags and the
    /// action of a single solve too (<c>--scale</c>, <c>--simulate</c>, <c>--simulate-seed</c>, <c>--out</c>). Both have
    /// <c>--catalog</c> for spec YAML instances.</summary>
    public void AddTo(Command command, bool withSolve)
    {
        command.Add(_instance);
        command.Add(_formulation);
        command.Add(_split);
        command.Add(_deterministic);
        command.Add(_gammaDelay);
        command.Add(_gammaError);
        if (withSolve)
        {
            command.Add(_scale);
        }

        command.Add(_timeLimit);
        command.Add(_gap);
        if (withSolve)
        {
            command.Add(_simulate);
            command.Add(_simulateSeed);
        }

        command.Add(_catalog);
        if (withSolve)
        {
            command.Add(_out);
            command.SetAction(Execute);
        }
    }

    /// <summary>The INSTANCE path, or null with an error when it is missing.</summary>
    public string? InstancePath(ParseResult parse, InputErrors errors)
    {
        string? path = parse.GetValue(_instance);
        if (path is null)
        {
            errors.Add("INSTANCE", "is required: a robust instance JSON, e.g. examples/robust/seed42-instance.json (or use 'llmplan robust generate'), or a spec YAML.");
        }

        return path;
    }

    private int Execute(ParseResult parse)
    {
        var errors = new InputErrors();
        string? path = InstancePath(parse, errors);

        RobustOptions options = ReadOptions(parse, errors);
        var scales = ReadScales(parse.GetValue(_scale) ?? [], errors);
        SolverOptions solverOptions = ReadSolverOptions(parse, errors);
        int? simulate = parse.GetValue(_simulate);
        long simulateSeed = parse.GetValue(_simulateSeed);
        if (simulate is < 1)
        {
            errors.Add("--simulate", $"{simulate.Value.ToString(CultureInfo.InvariantCulture)} is out of range; give the number of draws, at least 1.");
        }

        if (simulateSeed is < 0 or > uint.MaxValue)
        {
            errors.Add("--simulate-seed", "must be an integer from 0 to 4294967295.");
        }

        string? outPath = parse.GetValue(_out);
        CommonOptions.RefuseInputAsOutput(outPath, "--out", [path], errors);
        errors.ThrowIfAny();

        RobustInstance instance = ReadInstance(parse, path!);
        foreach (var (parameter, factor) in scales)
        {
            instance = RobustScaling.Scale(instance, parameter, factor);
        }

        RobustSolution solution = RobustPlanner.Solve(instance, options, CbcSolver.Instance, solverOptions);
        RobustComparison? comparison = simulate is int draws && solution.Status != RobustStatus.Infeasible
            ? RobustComparison.Run(solution, CbcSolver.Instance, solverOptions, draws, (uint)simulateSeed)
            : null;
        RobustReport.Write(parse.InvocationConfiguration.Output, solution, comparison);
        if (outPath is not null)
        {
            CommonOptions.WriteFile(outPath, RobustSolutionWriter.Json(solution, [.. scales.Select(s => (RobustScaling.NameOf(s.Parameter), s.Factor))], comparison));
        }

        return (int)(solution.Status == RobustStatus.Infeasible ? ExitCode.Infeasible : ExitCode.Ok);
    }

    /// <summary>Reads an instance JSON, or builds one from a spec YAML with the catalog.</summary>
    public RobustInstance ReadInstance(ParseResult parse, string path) => RobustSpecFile.LooksLikeSpec(path)
        ? RobustSpecFile.Read(path, CommonOptions.LoadCatalog(parse.GetValue(_catalog)))
        : RobustInstanceReader.Read(path);

    /// <summary>The formulation options from the flags.</summary>
    public RobustOptions ReadOptions(ParseResult parse, InputErrors errors)
    {
        string formulation = parse.GetValue(_formulation)!;
        FormulationKind kind = FormulationKind.Corrected;
        if (string.Equals(formulation, "seed", StringComparison.OrdinalIgnoreCase))
        {
            kind = FormulationKind.Seed;
        }
        else if (!string.Equals(formulation, "corrected", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("--formulation", $"'{formulation}' is not one of: seed, corrected.");
        }

        bool split = parse.GetValue(_split);
        if (split && kind == FormulationKind.Seed)
        {
            errors.Add("--split-traffic", "goes with --formulation corrected only: the seed routes each query type to one pair.");
        }

        double? gammaDelay = Gamma(parse, _gammaDelay, errors);
        double? gammaError = Gamma(parse, _gammaError, errors);
        bool deterministic = parse.GetValue(_deterministic);
        if (deterministic && (gammaDelay is not null || gammaError is not null))
        {
            errors.Add("--deterministic", "sets Γ_d = Γ_e = 0; drop --gamma-delay/--gamma-error or this flag.");
        }

        return new RobustOptions { Formulation = kind, SplitTraffic = split, Deterministic = deterministic, GammaDelay = gammaDelay, GammaError = gammaError };
    }

    /// <summary>The solver settings from the flags.</summary>
    public SolverOptions ReadSolverOptions(ParseResult parse, InputErrors errors)
    {
        double? limit = parse.GetValue(_timeLimit);
        double? gap = parse.GetValue(_gap);
        if (limit is double l && !(l > 0 && double.IsFinite(l)))
        {
            errors.Add("--time-limit", "must be a positive number of seconds.");
        }

        if (gap is double g && !(g >= 0 && g < 1))
        {
            errors.Add("--gap", "must be a fraction in [0, 1), e.g. 0.01.");
        }

        return RobustPlanner.DefaultSolverOptions with
        {
            TimeLimit = limit is double seconds ? Seconds.FromSeconds(seconds) : null,
            RelativeGap = gap ?? RobustPlanner.DefaultSolverOptions.RelativeGap,
            Log = parse.GetValue(CliApp.Verbose),
        };
    }

    /// <summary>Parses NAME=FACTOR scale flags.</summary>
    public static List<(ScaledParameter Parameter, double Factor)> ReadScales(IEnumerable<string> texts, InputErrors errors)
    {
        var scales = new List<(ScaledParameter, double)>();
        foreach (string text in texts)
        {
            int eq = text.IndexOf('=', StringComparison.Ordinal);
            ScaledParameter? parameter = eq > 0 ? RobustScaling.Find(text[..eq].Trim()) : null;
            if (parameter is null)
            {
                errors.Add("--scale", $"'{text}' is not NAME=FACTOR with NAME one of: {string.Join(", ", RobustScaling.Names.Select(n => n.Name))}.");
                continue;
            }

            if (ValueParsing.Number(text[(eq + 1)..].Trim(), "--scale " + text[..eq].Trim(), errors, 0, exclusiveMinimum: true) is double factor)
            {
                if (scales.Any(s => s.Item1 == parameter))
                {
                    errors.Add("--scale", $"{text[..eq].Trim()} is scaled twice; give each parameter once.");
                    continue;
                }

                scales.Add((parameter.Value, factor));
            }
        }

        return scales;
    }

    private static double? Gamma(ParseResult parse, Option<double?> option, InputErrors errors)
    {
        double? value = parse.GetValue(option);
        if (value is double g && !(g >= 0 && double.IsFinite(g)))
        {
            errors.Add(option.Name, "must be a number ≥ 0 (how many deviations may be at their worst at once).");
        }

        return value;
    }
}
