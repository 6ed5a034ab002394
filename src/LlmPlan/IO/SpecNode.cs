using System.Globalization;
using LlmPlan.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace LlmPlan.IO;

/// <summary>A node of a YAML or JSON spec file with its path (<c>stages[1].tp</c>) and line, read through typed,
/// error-collecting accessors. JSON is read by the same parser (it is YAML's flow style).</summary>
public sealed class SpecNode
{
    private readonly YamlNode _node;

    private SpecNode(string file, string path, YamlNode node)
    {
        File = file;
        Path = path;
        _node = node;
    }

    /// <summary>Gets the file name used in messages.</summary>
    public string File { get; }

    /// <summary>Gets the field path from the root, e.g. <c>stages[0].tp</c>; empty for the root.</summary>
    public string Path { get; }

    /// <summary>Gets the location text of this node: file, line and field path.</summary>
    public string Where => Invariant.Text($"{File} line {_node.Start.Line}") + (Path.Length > 0 ? $", field '{Path}'" : string.Empty);

    /// <summary>Reads a spec file: the file must exist and parse, and its top level may hold only the known keys.</summary>
    /// <param name="path">The file.</param>
    /// <param name="keys">The keys allowed at the top level.</param>
    /// <param name="errors">Collects the unknown keys (the caller reports them with its own problems).</param>
    /// <returns>The root node.</returns>
    /// <exception cref="InputValidationException">The file is missing or does not parse.</exception>
    public static SpecNode Load(string path, IReadOnlyCollection<string> keys, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(errors);
        if (!System.IO.File.Exists(path))
        {
            errors.Add(path, "the file does not exist. Check the path.");
            errors.ThrowIfAny();
        }

        SpecNode? root = Parse(System.IO.Path.GetFileName(path), System.IO.File.ReadAllText(path), errors);
        errors.ThrowIfAny();
        if (!root!.IsMapping)
        {
            errors.Add(root.Where, $"must be a mapping of keys (known: {string.Join(", ", keys)}).");
            errors.ThrowIfAny();
        }

        root.RejectUnknownKeys(keys, errors);
        return root;
    }

    /// <summary>Parses a YAML or JSON document. A key repeated within one mapping is an error (JSON readers silently keep
    /// one of the two); the repeat and its value are dropped so that the rest of the document can still be checked.</summary>
    /// <param name="file">The file name used in messages.</param>
    /// <param name="text">The document.</param>
    /// <param name="errors">Collects a syntax error and every repeated key.</param>
    /// <returns>The root node, or null on a syntax error or an empty document.</returns>
    public static SpecNode? Parse(string file, string text, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var events = new DuplicateKeyFilter(new Parser(new StringReader(text)), file, errors);
        try
        {
            var stream = new YamlStream();
            stream.Load(events);
            if (stream.Documents.Count == 0)
            {
                errors.Add(file, "the file is empty. See docs/formats.md for the spec format.");
                return null;
            }

            return new SpecNode(file, string.Empty, stream.Documents[0].RootNode);
        }
        catch (YamlException e)
        {
            errors.Add(Invariant.Text($"{file} line {e.Start.Line}, column {e.Start.Column}"), $"not valid YAML/JSON: {e.Message}");
            return null;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // YamlDotNet's scanner throws these (without a position) on some malformed input, e.g. a "!!" tag that is
            // not a URI; the last event read tells where it stopped.
            errors.Add(
                Invariant.Text($"{file} line {events.LastLine}"),
                "not valid YAML/JSON at or after this line: the parser could not read what follows. Check the brackets, quotes and commas there.");
            return null;
        }
    }

    /// <summary>Gets a value indicating whether this node is a mapping (a JSON object).</summary>
    public bool IsMapping => _node is YamlMappingNode;

    /// <summary>Gets a value indicating whether this node is a sequence (a JSON array).</summary>
    public bool IsList => _node is YamlSequenceNode;

    /// <summary>Gets a value indicating whether this node is a mapping with the key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>True when present.</returns>
    public bool Has(string key) => _node is YamlMappingNode map && map.Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>Gets a child of a mapping, or null when absent (also when this node is not a mapping).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The child or null.</returns>
    public SpecNode? Child(string key)
    {
        if (_node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? child))
        {
            return new SpecNode(File, Path.Length == 0 ? key : $"{Path}.{key}", child);
        }

        return null;
    }

    /// <summary>Gets the keys of a mapping, in file order (empty when not a mapping).</summary>
    public IReadOnlyList<string> Keys => _node is YamlMappingNode map
        ? [.. map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? string.Empty)]
        : [];

    /// <summary>Gets the items of a sequence, or records an error when this node is not one.</summary>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The items.</returns>
    public IReadOnlyList<SpecNode> Items(InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (_node is YamlSequenceNode sequence)
        {
            return [.. sequence.Children.Select((c, i) => new SpecNode(File, Invariant.Text($"{Path}[{i}]"), c))];
        }

        errors.Add(Where, "must be a list.");
        return [];
    }

    /// <summary>Gets the scalar text, or null (with an error) when this node is not a scalar.</summary>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The text.</returns>
    public string? Text(InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (_node is YamlScalarNode scalar && scalar.Value is not null)
        {
            return scalar.Value.Trim();
        }

        errors.Add(Where, "must be a single value, not a list or a mapping.");
        return null;
    }

    /// <summary>Reads an integer with an inclusive minimum.</summary>
    /// <param name="errors">Collects the error.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <returns>The integer, or null.</returns>
    public int? Integer(InputErrors errors, int minimum = int.MinValue) =>
        Text(errors) is string text ? ValueParsing.Integer(text, Where, errors, minimum) : null;

    /// <summary>Reads a finite number with an optional minimum.</summary>
    /// <param name="errors">Collects the error.</param>
    /// <param name="minimum">The smallest allowed value.</param>
    /// <param name="exclusiveMinimum">Whether the minimum itself is excluded.</param>
    /// <returns>The number, or null.</returns>
    public double? Number(InputErrors errors, double minimum = double.NegativeInfinity, bool exclusiveMinimum = false) =>
        Text(errors) is string text ? ValueParsing.Number(text, Where, errors, minimum, exclusiveMinimum) : null;

    /// <summary>Reads a boolean.</summary>
    /// <param name="errors">Collects the error.</param>
    /// <returns>The value, or null.</returns>
    public bool? Boolean(InputErrors errors) => Text(errors) is string text ? ValueParsing.Boolean(text, Where, errors) : null;

    /// <summary>Records an error for keys of this mapping that are not among <paramref name="known"/> (typos).</summary>
    /// <param name="known">The keys this mapping may hold.</param>
    /// <param name="errors">Collects the errors.</param>
    public void RejectUnknownKeys(IReadOnlyCollection<string> known, InputErrors errors)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (string key in Keys.Where(k => !known.Contains(k)))
        {
            errors.Add(Child(key)!.Where, string.Create(CultureInfo.InvariantCulture, $"unknown field. Known fields here: {string.Join(", ", known)}."));
        }
    }

    /// <summary>Passes a YAML event stream through, dropping every key that repeats one of the same mapping (with its
    /// value) after recording an error that names both lines.</summary>
    private sealed class DuplicateKeyFilter(IParser inner, string file, InputErrors errors) : IParser
    {
        private readonly Stack<Frame> _open = new();

        public ParsingEvent? Current => inner.Current;

        /// <summary>Gets the line of the last event read (1 before the first).</summary>
        public long LastLine { get; private set; } = 1;

        public bool MoveNext()
        {
            while (inner.MoveNext())
            {
                LastLine = inner.Current!.Start.Line;
                if (!SkippedRepeat(inner.Current))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Tracks where the event is; returns true when it was a repeated key and it and its value were skipped.</summary>
        private bool SkippedRepeat(ParsingEvent current)
        {
            Frame? parent = _open.Count > 0 ? _open.Peek() : null;
            switch (current)
            {
                case Scalar scalar when parent is { IsMapping: true, AtKey: true }:
                    string key = scalar.Value;
                    if (parent.FirstLines.TryGetValue(key, out long first))
                    {
                        errors.Add(
                            Invariant.Text($"{file} line {scalar.Start.Line}, field '{Join(parent.Path, key)}'"),
                            Invariant.Text($"'{key}' is given twice (first at line {first}); keys in one object must be unique, as a reader keeps only one of them. Remove or rename one."));
                        SkipNode();
                        return true;
                    }

                    parent.FirstLines[key] = scalar.Start.Line;
                    parent.Key = key;
                    parent.Completed();
                    return false;
                case Scalar or AnchorAlias:
                    parent?.Completed();
                    return false;
                case MappingStart or SequenceStart:
                    _open.Push(new Frame(current is MappingStart, ChildPath(parent)));
                    return false;
                case MappingEnd or SequenceEnd:
                    _open.Pop();
                    if (_open.Count > 0)
                    {
                        _open.Peek().Completed();
                    }

                    return false;
                default:
                    return false;
            }
        }

        /// <summary>Moves past the next node (a scalar, or a mapping or sequence with everything in it).</summary>
        private void SkipNode()
        {
            int depth = 0;
            while (inner.MoveNext())
            {
                LastLine = inner.Current!.Start.Line;
                depth += inner.Current switch
                {
                    MappingStart or SequenceStart => 1,
                    MappingEnd or SequenceEnd => -1,
                    _ => 0,
                };
                if (depth <= 0)
                {
                    return;
                }
            }
        }

        private static string ChildPath(Frame? parent) => parent switch
        {
            null => string.Empty,
            { IsMapping: true } => parent.AtKey ? parent.Path : Join(parent.Path, parent.Key ?? string.Empty),
            _ => Invariant.Text($"{parent.Path}[{parent.Index}]"),
        };

        private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

        /// <summary>An open mapping or sequence: its path, the keys seen with their lines, and the position in it.</summary>
        private sealed class Frame(bool isMapping, string path)
        {
            public bool IsMapping { get; } = isMapping;

            public string Path { get; } = path;

            public Dictionary<string, long> FirstLines { get; } = new(StringComparer.Ordinal);

            public bool AtKey { get; private set; } = true;

            public string? Key { get; set; }

            public int Index { get; private set; }

            /// <summary>Records that a child node ended: a mapping alternates key and value, a sequence counts items.</summary>
            public void Completed()
            {
                if (IsMapping)
                {
                    AtKey = !AtKey;
                }
                else
                {
                    Index++;
                }
            }
        }
    }
}
