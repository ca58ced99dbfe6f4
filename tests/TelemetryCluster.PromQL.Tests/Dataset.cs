using System.Globalization;
using System.Text;

namespace TelemetryCluster.PromQL.Tests;

/// <summary>The differential data set: counters with resets, gauges with gaps and a NaN, histograms, irregular samples.</summary>
internal sealed class Dataset
{
    public Dataset(long t0Ms)
    {
        T0 = t0Ms;
        Build();
    }

    /// <summary>First sample time (ms); data runs to T0 + 1h at 15s spacing.</summary>
    public long T0 { get; }

    public List<(Dictionary<string, string> Labels, List<(long T, double V)> Samples)> Series { get; } = [];

    private static Dictionary<string, string> L(string name, params string[] kv)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal) { ["__name__"] = name };
        for (int i = 0; i < kv.Length; i += 2)
        {
            d[kv[i]] = kv[i + 1];
        }
        return d;
    }

    private void Add(Dictionary<string, string> labels, Func<int, double?> valueAtStep, int steps = 241, int stepSec = 15, int offsetSec = 0)
    {
        var samples = new List<(long, double)>();
        for (int i = 0; i < steps; i++)
        {
            var v = valueAtStep(i);
            if (v is { } val)
            {
                samples.Add((T0 + ((offsetSec + ((long)i * stepSec)) * 1000), val));
            }
        }
        Series.Add((labels, samples));
    }

    private void Build()
    {
        var rnd = new Random(42);
        // Counters.
        Add(L("http_requests_total", "job", "api", "instance", "i1", "method", "get", "code", "200"), Counter(rnd, 1, 5, [80, 164], 1));
        Add(L("http_requests_total", "job", "api", "instance", "i1", "method", "get", "code", "500"), Counter(rnd, 0, 2, [], 1));
        Add(L("http_requests_total", "job", "api", "instance", "i2", "method", "post", "code", "200"), Counter(rnd, 0.5, 3.5, [120], 0.5));
        // Stops after 35 minutes: lookback expiry.
        var web = Counter(rnd, 2, 6, [], 1);
        Add(L("http_requests_total", "job", "web", "instance", "w1", "method", "get", "code", "200"), i => i <= 140 ? web(i) : null);
        // Gauges; w1 has a 15-minute gap.
        Add(L("memory_usage_bytes", "job", "api", "instance", "i1"), i => 100_000_000 + (i * 12_345) + (rnd.Next(0, 1000) * 1000));
        Add(L("memory_usage_bytes", "job", "api", "instance", "i2"), i => 200_000_000 - (i * 54_321) + (rnd.Next(0, 1000) * 100));
        Add(L("memory_usage_bytes", "job", "web", "instance", "w1"), i => i is > 40 and < 100 ? null : 150_000_000 + (Math.Round(Math.Sin(i / 10.0) * 1e6)));
        Add(L("temperature_celsius", "job", "sensors", "instance", "s1", "room", "a"), i => Math.Round((Math.Sin(i / 7.0) * 4) - 0.5, 2));
        Add(L("temperature_celsius", "job", "sensors", "instance", "s1", "room", "b"), i => i == 200 ? double.NaN : (i % 13) * 0.25 - 1.5);
        Add(L("up", "job", "api", "instance", "i1"), _ => 1);
        Add(L("up", "job", "api", "instance", "i2"), i => i is >= 60 and < 70 ? 0 : 1);
        Add(L("up", "job", "web", "instance", "w1"), i => i <= 140 ? 1 : 0);
        Add(L("info_metric", "job", "api", "instance", "i1", "version", "1.2"), _ => 1);
        Add(L("info_metric", "job", "api", "instance", "i2", "version", "1.3"), _ => 1);
        // Histograms.
        foreach (var inst in new[] { "i1", "i2" })
        {
            double[] les = [0.05, 0.1, 0.25, 0.5, 1, 2.5];
            var counts = new double[les.Length + 1];
            var series = new List<double[]>();
            double sum = 0;
            var sums = new List<double>();
            for (int i = 0; i < 241; i++)
            {
                int obs = rnd.Next(0, 20);
                for (int o = 0; o < obs; o++)
                {
                    double d = Math.Round(rnd.NextDouble() * rnd.NextDouble() * 3, 3);
                    sum += d;
                    for (int b = 0; b < les.Length; b++)
                    {
                        if (d <= les[b])
                        {
                            counts[b]++;
                        }
                    }
                    counts[^1]++;
                }
                series.Add((double[])counts.Clone());
                sums.Add(Math.Round(sum, 3));
            }
            for (int b = 0; b <= les.Length; b++)
            {
                int bb = b;
                var le = b < les.Length ? les[b].ToString(CultureInfo.InvariantCulture) : "+Inf";
                Add(L("request_duration_seconds_bucket", "job", "api", "instance", inst, "le", le), i => series[i][bb]);
            }
            Add(L("request_duration_seconds_sum", "job", "api", "instance", inst), i => sums[i]);
            Add(L("request_duration_seconds_count", "job", "api", "instance", inst), i => series[i][^1]);
        }
        // KEDA shapes.
        foreach (var n in new[] { "n1", "n2", "n3" })
        {
            Add(L("otelcol_receiver_accepted_metric_points_total", "receiver", "otlp", "transport", "grpc", "instance", n), Counter(rnd, 100, 900, [], 1));
        }
        foreach (var pod in new[] { "app-1", "app-2", "other-1" })
        {
            Add(L("container_memory_working_set_bytes", "namespace", "default", "pod", pod), i => 50_000_000 + (rnd.Next(0, 5000) * 1000));
            Add(L("kube_pod_container_resource_limits", "namespace", "default", "pod", pod, "resource", "memory"), _ => 268_435_456);
            Add(L("kube_pod_container_resource_limits", "namespace", "default", "pod", pod, "resource", "cpu"), _ => 0.5);
        }
        // The example ScaledObject's inputs: three members' own counters, working set and memory limit.
        foreach (var member in new[] { "telemetry-cluster-0", "telemetry-cluster-1", "telemetry-cluster-2" })
        {
            Add(L("otelcol_receiver_accepted_spans_total", "receiver", "otlp", "transport", "grpc", "pod", member), Counter(rnd, 200_000, 600_000, [], 1));
            Add(L("otelcol_receiver_accepted_log_records_total", "receiver", "otlp", "transport", "http", "pod", member), Counter(rnd, 10_000, 90_000, [], 1));
            Add(L("container_memory_working_set_bytes", "namespace", "default", "pod", member, "container", "telemetry-cluster"), i => 300_000_000 + (i * 1_000_000.0) + (rnd.Next(0, 1000) * 1000));
            Add(L("kube_pod_container_resource_limits", "namespace", "default", "pod", member, "container", "telemetry-cluster", "resource", "memory", "unit", "byte"), _ => 1_073_741_824);
        }
        // Irregular timestamps (7s, then 11s spacing, and one sample a millisecond past a minute boundary).
        var irregular = new List<(long, double)>();
        long t = T0 + 7000;
        int k = 0;
        while (t <= T0 + 3_600_000)
        {
            irregular.Add((t, k * 1.5));
            t += k % 3 == 0 ? 7000 : 11_000;
            if (k == 50)
            {
                t = T0 + 1_200_001;
            }
            k++;
        }
        Series.Add((L("irregular_gauge", "src", "x"), irregular));
    }

    private static Func<int, double?> Counter(Random rnd, double minInc, double maxInc, int[] resets, double quantum)
    {
        var values = new double[241];
        double v = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (Array.IndexOf(resets, i) >= 0)
            {
                v = quantum * rnd.Next(0, 3);
            }
            else
            {
                v += Math.Round((minInc + (rnd.NextDouble() * (maxInc - minInc))) / quantum) * quantum;
            }
            values[i] = v;
        }
        return i => values[i];
    }

    /// <summary>OpenMetrics text with timestamps in seconds, series of one name contiguous, ending with # EOF.</summary>
    public string ToOpenMetrics()
    {
        var sb = new StringBuilder();
        foreach (var group in Series.GroupBy(s => s.Labels["__name__"]))
        {
            foreach (var (labels, samples) in group)
            {
                var name = labels["__name__"];
                var ls = string.Join(",", labels.Where(kv => kv.Key != "__name__").Select(kv => $"{kv.Key}=\"{kv.Value}\""));
                foreach (var (t, v) in samples)
                {
                    sb.Append(name).Append('{').Append(ls).Append("} ")
                        .Append(double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
                        .Append((t / 1000).ToString(CultureInfo.InvariantCulture));
                    if (t % 1000 != 0)
                    {
                        sb.Append('.').Append((t % 1000).ToString("000", CultureInfo.InvariantCulture));
                    }
                    sb.Append('\n');
                }
            }
        }
        sb.Append("# EOF\n");
        return sb.ToString();
    }
}
