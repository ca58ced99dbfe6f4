using System.Globalization;

namespace TelemetryCluster.Benchmarks.Harness;

/// <summary>A parsed command line: run benchmarks, run the hidden floor server, or show usage.</summary>
internal abstract record Command;

internal sealed record RunCommand(BenchmarkOptions Options) : Command;

internal sealed record FloorServerCommand(int Port, int ControlPort) : Command;

internal sealed record UsageCommand(string? Error) : Command;

internal static class CommandLine
{
    public const string FloorServerVerb = "floor-server";

    public static string Usage(IEnumerable<string> workloads) =>
        $"""
        usage: dotnet run -c Release --project tests/TelemetryCluster.Benchmarks -- <workload> [options]

        workloads: {string.Join(", ", workloads)}, all, smoke

        options:
          --window 30s        measurement window per phase (default 30s, filelog (a) 60s; smoke 4s)
          --warmup 5s         warm-up before each window (default 5s; smoke 2s)
          --rounds 3          A/B rounds, medians over rounds (default 3; smoke 1)
          --concurrency 8     closed-loop callers for max-rate phases
          --json FILE         write the raw numbers as JSON to FILE (default: print after the tables)
          --node PATH         telemetry-cluster.dll to run (default: the repo's build output, same configuration)
          --project-sut floor run the floor as both A and B (harness self-check; ratios ≈ 1.0)
          --exporter-compression gzip
                              compression of the node's otlp exporter to its sink: gzip (default), zstd, snappy, none
          --start-timeout 60s time allowed for a process to start and for counts to settle
          --filelog-lines N   lines of filelog's pre-written (b) file (default 3000000; smoke 200000)
          --promql-series N[,N]
                              series counts of promql (multiples of 50; default 10000,100000)
          --node-hocon TEXT   HOCON appended to filelog's node config, for diagnosis (e.g. "cluster.pipeline-queue-size = 64")

        exit codes: 0 ok, 1 correctness check failed, 2 a target was missed (not in smoke), 3 setup error, 64 usage
        """;

    public static Command Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            return new UsageCommand(null);
        }

        try
        {
            return args[0] == FloorServerVerb ? ParseFloor(args) : ParseRun(args);
        }
        catch (FormatException e)
        {
            return new UsageCommand(e.Message);
        }
    }

    private static FloorServerCommand ParseFloor(IReadOnlyList<string> args)
    {
        int port = 0, control = 0;
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--port": port = ParseInt(Value(args, ref i)); break;
                case "--control-port": control = ParseInt(Value(args, ref i)); break;
                default: throw new FormatException($"unknown floor-server option '{args[i]}'");
            }
        }

        return new FloorServerCommand(port, control);
    }

    private static RunCommand ParseRun(IReadOnlyList<string> args)
    {
        var workload = args[0];
        if (workload.StartsWith('-'))
        {
            throw new FormatException("the first argument must be a workload name");
        }

        var smoke = workload == "smoke";
        var o = new BenchmarkOptions
        {
            Workload = workload,
            Smoke = smoke,
            Window = smoke ? TimeSpan.FromSeconds(4) : TimeSpan.FromSeconds(30),
            Warmup = smoke ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(5),
            Rounds = smoke ? 1 : 3,
            StartTimeout = TimeSpan.FromSeconds(60),
        };
        for (var i = 1; i < args.Count; i++)
        {
            o = args[i] switch
            {
                "--window" => o with { Window = BenchmarkOptions.ParseDuration(Value(args, ref i)), WindowGiven = true },
                "--warmup" => o with { Warmup = BenchmarkOptions.ParseDuration(Value(args, ref i)) },
                "--rounds" => o with { Rounds = Math.Max(1, ParseInt(Value(args, ref i))) },
                "--concurrency" => o with { Concurrency = Math.Max(1, ParseInt(Value(args, ref i))) },
                "--json" => o with { JsonPath = Value(args, ref i) },
                "--node" => o with { NodePath = Value(args, ref i) },
                "--project-sut" => o with { ProjectSut = ParseSut(Value(args, ref i)) },
                "--exporter-compression" => o with { ExporterCompression = ParseCompression(Value(args, ref i)) },
                "--filelog-lines" => o with { FileLogLines = Math.Max(1000, ParseInt(Value(args, ref i))) },
                "--promql-series" => o with { PromqlSeries = ParseSeries(Value(args, ref i)) },
                "--node-hocon" => o with { NodeHocon = Value(args, ref i) },
                "--start-timeout" => o with { StartTimeout = BenchmarkOptions.ParseDuration(Value(args, ref i)) },
                _ => throw new FormatException($"unknown option '{args[i]}'"),
            };
        }

        if (o.Window <= TimeSpan.Zero)
        {
            throw new FormatException("--window must be positive");
        }

        return new RunCommand(o);
    }

    private static int[] ParseSeries(string value)
    {
        var sizes = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseInt).ToArray();
        return sizes.Length > 0 && sizes.All(n => n >= 50 && n % 50 == 0)
            ? sizes
            : throw new FormatException("--promql-series takes series counts, multiples of 50, e.g. 10000,100000");
    }

    private static string ParseSut(string value) =>
        value is "node" or "floor" ? value : throw new FormatException("--project-sut is 'node' or 'floor'");

    private static string ParseCompression(string value) =>
        value is "gzip" or "zstd" or "snappy" or "none"
            ? value
            : throw new FormatException("--exporter-compression is 'gzip', 'zstd', 'snappy' or 'none'");

    private static string Value(IReadOnlyList<string> args, ref int i)
    {
        if (i + 1 >= args.Count)
        {
            throw new FormatException($"option '{args[i]}' needs a value");
        }

        i++;
        return args[i];
    }

    private static int ParseInt(string s) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"not an integer: '{s}'");
}
