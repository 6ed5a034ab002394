using System.CommandLine;
using System.Globalization;
using LlmPlan.IO.Robust;
using LlmPlan.Planning.Robust;
using LlmPlan.Validation;

namespace LlmPlan.Cli.Commands;

/// <summary><c>llmplan robust</c>: robust LLM-inference workload allocation under delay and error-rate uncertainty (the
/// RODIU model of JJmingcc/LLM-RO). <c>generate</c> writes the seed's instances.</summary>
internal static class RobustCommand
{
    public static Command Create()
    {
        var command = new Command("robust", "Robust LLM-inference workload allocation: route query types to (model, GPU tier) pairs and rent GPUs at tensor-parallel degrees, with delay and error rates uncertain within budgets (the RODIU model of JJmingcc/LLM-RO). Solves INSTANCE to a proven optimum with CBC; exit 2 when no allocation exists.")
        {
            Generate(),
        };
        new RobustSolveOptions().AddTo(command, withSolve: true);
        return command;
    }

    private static Command Generate()
    {
        var seed = new Option<long>("--seed")
        {
            Description = "The numpy seed, 0 … 4294967295. 42 gives the seed repository's instance (examples/robust/seed42-instance.json).",
            DefaultValueFactory = _ => 42,
            HelpName = "N",
        };
        var output = CommonOptions.Out("The instance JSON to write (the format of docs/formats.md, read back by the robust verbs).");
        var command = new Command("generate", "Write the instance the seed repository's generator (RODIU_LLM.DataGenerator(seed).generate()) draws for a seed, bit-identical to its numpy draws: 6 query types, 6 models, 10 GPU tiers, TP degrees 1, 2, 4, 8, and the nominal and worst-case delay and error tables.")
        {
            seed,
            output,
        };
        command.SetAction(parse =>
        {
            var errors = new InputErrors();
            long value = parse.GetValue(seed);
            string? path = parse.GetValue(output);
            if (value is < 0 or > uint.MaxValue)
            {
                errors.Add("--seed", "must be an integer from 0 to 4294967295 (numpy's seed range).");
            }

            if (path is null)
            {
                errors.Add("--out", "is required: the file to write the instance to, e.g. --out inst.json.");
            }

            errors.ThrowIfAny();
            RobustInstance instance = RobustGenerator.Generate((uint)value);
            CommonOptions.WriteFile(path!, RobustInstanceWriter.Json(instance));
            string lambdas = string.Join(", ", instance.QueryClasses.Select(q => q.ArrivalRatePerHour.ToString(CultureInfo.InvariantCulture)));
            parse.InvocationConfiguration.Output.WriteLine(
                $"{instance.Name}: {instance.QueryClasses.Count} query types (λ = {lambdas} queries/h), {instance.Models.Count} models, {instance.Tiers.Count} GPU tiers; wrote {path}.");
            return (int)ExitCode.Ok;
        });
        return command;
    }
}
