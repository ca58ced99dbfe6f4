using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Xunit;

namespace TelemetryCluster.Streams.Tests.Exporters.Debug;

/// <summary>Reads the <c>```hocon</c> example of a component README from the source tree and checks it against defaults.</summary>
internal static partial class ReadmeHocon
{
    [GeneratedRegex("```hocon\\s*\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex HoconBlock();

    /// <summary>The first hocon block of the README in the component folder (relative to the Streams project).</summary>
    public static string FirstBlock(string componentFolder)
    {
        var readme = Path.Combine(StreamsProjectDir(), componentFolder, "README.md");
        var match = HoconBlock().Match(File.ReadAllText(readme));
        Assert.True(match.Success, $"{readme} has no ```hocon block");
        return match.Groups["body"].Value;
    }

    /// <summary>Dotted keys of every leaf in <paramref name="section"/> that the defaults do not declare (a <c>{}</c> block accepts anything).</summary>
    public static IReadOnlyList<string> UnknownKeys(HoconValue section, HoconValue defaults, string prefix = "")
    {
        var unknown = new List<string>();
        if (!section.IsObject())
        {
            return unknown;
        }

        var declared = defaults.IsObject() ? defaults.GetObject().Items : new Dictionary<string, HoconValue>();
        foreach (var (key, value) in section.GetObject().Items)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            if (!declared.TryGetValue(key, out var declaredValue))
            {
                unknown.Add(path);
            }
            else if (declaredValue.IsObject() && declaredValue.GetObject().Items.Count > 0)
            {
                unknown.AddRange(UnknownKeys(value, declaredValue, path));
            }
        }

        return unknown;
    }

    public static HoconValue Parse(string hocon) => ConfigurationFactory.ParseString(hocon).Root;

    private static string StreamsProjectDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "src", "Streams", "TelemetryCluster.Streams");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("cannot find src/Streams/TelemetryCluster.Streams above " + AppContext.BaseDirectory);
    }
}
