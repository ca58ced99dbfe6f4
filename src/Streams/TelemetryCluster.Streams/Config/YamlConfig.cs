using Akka.Configuration.Hocon;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TelemetryCluster.Streams.Config;

/// <summary>
/// Maps a collector YAML file to the same HOCON tree a HOCON file gives, so an existing collector/ADOT config runs
/// unchanged. The tree is built directly from YamlDotNet's representation model (no text round trip): mappings
/// become objects (keys kept verbatim, so <c>otlp/2</c> and <c>a.b</c> stay single keys), sequences become lists,
/// scalars become HOCON literals (HOCON keeps every scalar as text; typed getters convert), and YAML null
/// (<c>~</c>, <c>null</c>, or an empty value such as <c>grpc:</c>) becomes HOCON <c>null</c>, which the loader
/// treats as "present, with the defaults". Environment references are expanded in each scalar after parsing, as
/// the collector does, so a value containing <c>: </c> or <c>#</c> cannot break the YAML. Merge keys
/// (<c>&lt;&lt;: *anchor</c>) are supported; only the first document of a stream is read.
/// </summary>
public static class YamlConfig
{
    private const int MaxDepth = 256;

    /// <summary>Parses YAML text; throws <see cref="FormatException"/> with line and column on malformed YAML.</summary>
    public static Akka.Configuration.Config Parse(string yaml, Func<string, string?>? environment = null, ICollection<string>? warnings = null) =>
        HoconTree.ToConfig(ParseTree(yaml, environment, warnings ?? []));

    internal static HoconValue ParseTree(string yaml, Func<string, string?>? environment, ICollection<string> warnings)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FormatException($"yaml: line {e.Start.Line}, column {e.Start.Column}: {Innermost(e).Message}", e);
        }

        if (stream.Documents.Count == 0)
        {
            return HoconTree.EmptyObject();
        }

        var converter = new Converter(environment, warnings);
        var root = converter.Convert(stream.Documents[0].RootNode, 0);
        if (HoconTree.IsNull(root))
        {
            return HoconTree.EmptyObject();
        }

        if (!HoconTree.IsObject(root))
        {
            throw new FormatException("yaml: the top level must be a mapping (receivers:, exporters:, service: ...)");
        }

        return root;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is YamlException inner)
        {
            e = inner;
        }

        return e;
    }

    private static bool IsNullScalar(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any &&
        scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    private sealed class Converter(Func<string, string?>? environment, ICollection<string> warnings)
    {
        public HoconValue Convert(YamlNode node, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException($"yaml: line {node.Start.Line}: nested deeper than {MaxDepth} levels");
            }

            switch (node)
            {
                case YamlScalarNode scalar:
                    return IsNullScalar(scalar) ? HoconTree.Null() : HoconTree.Literal(Expand(scalar.Value ?? string.Empty));
                case YamlSequenceNode sequence:
                    return HoconTree.Array(sequence.Children.Select(child => Convert(child, depth + 1)).ToList());
                case YamlMappingNode mapping:
                    return ConvertMapping(mapping, depth);
                default:
                    throw new FormatException($"yaml: line {node.Start.Line}, column {node.Start.Column}: unsupported node");
            }
        }

        private HoconValue ConvertMapping(YamlMappingNode mapping, int depth)
        {
            HoconValue? merged = null;
            var explicitKeys = new HoconObject();
            foreach (var (keyNode, valueNode) in mapping.Children)
            {
                if (keyNode is not YamlScalarNode keyScalar)
                {
                    throw new FormatException($"yaml: line {keyNode.Start.Line}, column {keyNode.Start.Column}: keys must be scalars");
                }

                var key = keyScalar.Value ?? string.Empty;
                if (key == "<<" && keyScalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
                {
                    // Merge key: earlier explicit keys and later merges lose to explicit keys; the first merge wins among merges.
                    var sources = valueNode is YamlSequenceNode list ? list.Children : [valueNode];
                    foreach (var source in sources)
                    {
                        var converted = Convert(source, depth + 1);
                        if (!HoconTree.IsObject(converted))
                        {
                            throw new FormatException($"yaml: line {source.Start.Line}, column {source.Start.Column}: a merge key (<<) needs a mapping");
                        }

                        merged = merged is null ? converted : HoconTree.Merge(merged, converted);
                    }

                    continue;
                }

                explicitKeys.Items[Expand(key)] = Convert(valueNode, depth + 1);
            }

            var result = HoconTree.Wrap(explicitKeys);
            return merged is null ? result : HoconTree.Merge(result, merged)!;
        }

        private string Expand(string text) =>
            environment is null || !text.Contains('$', StringComparison.Ordinal) ? text : EnvExpansion.Expand(text, environment, warnings);
    }
}
