using System.Reflection;
using LlmPlan.Units;

namespace LlmPlan.Tests;

/// <summary>Shape rules checked by reflection: immutable public domain types, no Console outside the CLI entry.</summary>
public class ArchitectureTests
{
    private static readonly Assembly Library = typeof(Bytes).Assembly;

    /// <summary>System.Console use; Spectre's AnsiConsole (which writes to the injected writer) does not count.</summary>
    private static readonly System.Text.RegularExpressions.Regex ConsoleUse = new(@"(?<![A-Za-z.])Console\.|System\.Console\.");

    [Fact]
    public void Should_be_readonly_When_a_public_struct_is_in_the_library()
    {
        var mutable = Library.GetExportedTypes()
            .Where(t => t.IsValueType && !t.IsEnum && !t.IsDefined(typeof(System.Runtime.CompilerServices.IsReadOnlyAttribute)))
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(mutable);
    }

    [Fact]
    public void Should_have_no_public_setters_When_a_type_is_a_domain_record()
    {
        string[] domain = ["LlmPlan.Units", "LlmPlan.Catalog", "LlmPlan.Performance", "LlmPlan.Cluster", "LlmPlan.Accuracy"];
        var setters = Library.GetExportedTypes()
            .Where(t => domain.Contains(t.Namespace))
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true } setter
                    && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)))
                .Select(p => $"{t.Name}.{p.Name}"))
            .ToList();
        Assert.Empty(setters);
    }

    [Fact]
    public void Should_not_use_Console_When_code_is_outside_the_cli_entry()
    {
        string root = Infrastructure.CliRun.RepositoryRoot;
        var offenders = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(Path.Combine("LlmPlan.Cli", "Program.cs"), StringComparison.Ordinal))
            .Where(f => ConsoleUse.IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(root, f))
            .ToList();
        Assert.Empty(offenders);
    }
}
