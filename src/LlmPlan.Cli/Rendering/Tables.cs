using Spectre.Console;
using Spectre.Console.Rendering;

namespace LlmPlan.Cli.Rendering;

/// <summary>Renders Spectre.Console tables to an injected writer: no colours, no ANSI codes, fixed width, so the same
/// result always prints the same bytes.</summary>
internal static class Tables
{
    /// <summary>The width tables are laid out for: wide enough that cells never wrap (tables take only the width their
    /// content needs).</summary>
    public const int Width = 240;

    /// <summary>Writes a table with a title, right-aligning columns whose header ends with a unit in brackets or is numeric.</summary>
    public static void Write(TextWriter output, string? title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlySet<int>? rightAligned = null)
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (title is not null)
        {
            table.Title = new TableTitle(title);
        }

        for (int i = 0; i < headers.Count; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i]));
            if (rightAligned?.Contains(i) == true)
            {
                column.RightAligned();
            }

            table.AddColumn(column);
        }

        foreach (IReadOnlyList<string> row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell)).ToArray());
        }

        Render(output, table);
    }

    /// <summary>Renders any Spectre renderable.</summary>
    public static void Render(TextWriter output, IRenderable renderable)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = Width;
        console.Profile.Capabilities.Unicode = true;
        console.Write(renderable);
    }
}
