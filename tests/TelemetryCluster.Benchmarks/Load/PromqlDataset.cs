using System.Globalization;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;

namespace TelemetryCluster.Benchmarks.Load;

/// <summary>
/// The promql workload's data: <see cref="SeriesPerPod"/> Prometheus series per pod of a fleet of application pods, named
/// and labelled like the app metrics a KEDA ScaledObject queries, with <see cref="Steps"/> samples each, every
/// <see cref="StepMs"/> from <see cref="T0"/> (1 h at 15 s by default). Per pod (labels <c>namespace</c> = ns-(p mod 10),
/// <c>service</c> = svc-(p mod 40), <c>pod</c>):
/// <list type="bullet">
/// <item><c>http_requests_total{method,code}</c>: 2 methods × 5 codes = 10 counters;</item>
/// <item><c>process_cpu_seconds_total</c>: 1 counter;</item>
/// <item><c>process_resident_memory_bytes</c>: 1 gauge (100–500 MB random walk);</item>
/// <item><c>queue_messages_ready{queue}</c>: 2 gauges (orders, emails);</item>
/// <item><c>http_request_duration_seconds{method}</c>: 3 histograms of 9 bounds → 3 × (10 <c>_bucket{le}</c> + <c>_sum</c> +
/// <c>_count</c>) = 36 series.</item>
/// </list>
/// Every 37th pod restarts at step 150: its counters and histograms start over (a counter reset). All values are
/// generated from a fixed seed, so both sides hold exactly the same samples. The same data is written as OpenMetrics for
/// <c>promtool tsdb create-blocks-from openmetrics</c> (Prometheus) and as OTLP requests, one step at a time (the node).
/// 17 OTLP series per pod (a histogram is one), so 100k Prometheus series are 34k series in the node's cluster view (its
/// limit is 50k per node and exporter).
/// </summary>
internal sealed class PromqlDataset
{
    public const int SeriesPerPod = 50;
    public const int DefaultSteps = 241;
    public const long StepMs = 15_000;
    public const int RestartStep = 150;
    public const string MarkerName = "tc_bench_load_step";

    public static readonly double[] Bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    public static readonly string[] Methods = ["GET", "POST"];
    public static readonly string[] Codes = ["200", "201", "404", "429", "500"];
    public static readonly string[] HistogramMethods = ["GET", "POST", "PUT"];
    public static readonly string[] Queues = ["orders", "emails"];

    /// <summary>Pods per OTLP request: 100 pods × 17 points ≈ 0.3 MB.</summary>
    private const int PodsPerRequest = 100;

    private readonly Pod[] _pods;

    public PromqlDataset(int series, long t0Ms, int steps = DefaultSteps)
    {
        if (series < SeriesPerPod || series % SeriesPerPod != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(series), $"a multiple of {SeriesPerPod}");
        }

        T0 = t0Ms;
        Steps = steps;
        _pods = new Pod[series / SeriesPerPod];
        for (var p = 0; p < _pods.Length; p++)
        {
            _pods[p] = new Pod(p, steps);
        }
    }

    /// <summary>The first sample's time (ms since the epoch).</summary>
    public long T0 { get; }

    public int Steps { get; }

    public int Pods => _pods.Length;

    public int Series => _pods.Length * SeriesPerPod;

    public long Samples => (long)Series * Steps;

    /// <summary>The last sample's time (ms).</summary>
    public long LastMs => T0 + ((Steps - 1) * StepMs);

    public long TimeOf(int step) => T0 + (step * StepMs);

    /// <summary>Writes every sample as OpenMetrics text (timestamps in seconds, each metric name contiguous, <c># EOF</c>).</summary>
    public async Task WriteOpenMetricsAsync(string path, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: false);
        await using (stream.ConfigureAwait(false))
        {
            var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20);
            await using (w.ConfigureAwait(false))
            {
                void Series(string name, string labels, double[] values)
                {
                    for (var k = 0; k < values.Length; k++)
                    {
                        w.Write(name);
                        w.Write('{');
                        w.Write(labels);
                        w.Write("} ");
                        w.Write(values[k].ToString("R", c));
                        w.Write(' ');
                        w.Write((TimeOf(k) / 1000).ToString(c));
                        w.Write('\n');
                    }
                }

                foreach (var pod in _pods)
                {
                    for (var m = 0; m < Methods.Length; m++)
                    {
                        for (var code = 0; code < Codes.Length; code++)
                        {
                            Series("http_requests_total", pod.Labels + $",method=\"{Methods[m]}\",code=\"{Codes[code]}\"", pod.Requests[(m * Codes.Length) + code]);
                        }
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                foreach (var pod in _pods)
                {
                    Series("process_cpu_seconds_total", pod.Labels, pod.Cpu);
                }

                foreach (var pod in _pods)
                {
                    Series("process_resident_memory_bytes", pod.Labels, pod.Memory);
                }

                foreach (var pod in _pods)
                {
                    for (var q = 0; q < Queues.Length; q++)
                    {
                        Series("queue_messages_ready", pod.Labels + $",queue=\"{Queues[q]}\"", pod.Queue[q]);
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                foreach (var pod in _pods)
                {
                    for (var h = 0; h < HistogramMethods.Length; h++)
                    {
                        for (var b = 0; b <= Bounds.Length; b++)
                        {
                            var le = b < Bounds.Length ? FormatBound(Bounds[b]) : "+Inf";
                            Series("http_request_duration_seconds_bucket", pod.Labels + $",method=\"{HistogramMethods[h]}\",le=\"{le}\"", pod.Buckets[h][b]);
                        }
                    }
                }

                foreach (var pod in _pods)
                {
                    for (var h = 0; h < HistogramMethods.Length; h++)
                    {
                        Series("http_request_duration_seconds_sum", pod.Labels + $",method=\"{HistogramMethods[h]}\"", pod.Sums[h]);
                    }
                }

                foreach (var pod in _pods)
                {
                    for (var h = 0; h < HistogramMethods.Length; h++)
                    {
                        Series("http_request_duration_seconds_count", pod.Labels + $",method=\"{HistogramMethods[h]}\"", pod.Buckets[h][Bounds.Length]);
                    }
                }

                w.Write("# EOF\n");
            }
        }
    }

    /// <summary>
    /// The samples of <paramref name="step"/> as OTLP requests (≤ <see cref="PodsPerRequest"/> pods each, an empty resource
    /// and scope so the exporter adds no <c>job</c>, <c>instance</c> or <c>otel_scope_*</c> label).
    /// </summary>
    public IReadOnlyList<ExportMetricsServiceRequest> StepRequests(int step)
    {
        var requests = new List<ExportMetricsServiceRequest>();
        var tNs = (ulong)TimeOf(step) * 1_000_000UL;
        for (var first = 0; first < _pods.Length; first += PodsPerRequest)
        {
            var last = Math.Min(_pods.Length, first + PodsPerRequest);
            var requestsSum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
            var cpuSum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true };
            var memory = new Gauge();
            var queue = new Gauge();
            var histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative };
            for (var p = first; p < last; p++)
            {
                var pod = _pods[p];
                var startNs = (ulong)(pod.Restarts && step >= RestartStep ? TimeOf(RestartStep) - 1000 : T0 - 60_000) * 1_000_000UL;
                for (var m = 0; m < Methods.Length; m++)
                {
                    for (var code = 0; code < Codes.Length; code++)
                    {
                        var dp = Point(pod, startNs, tNs, pod.Requests[(m * Codes.Length) + code][step]);
                        dp.Attributes.Add(MetricsPayload.Str("method", Methods[m]));
                        dp.Attributes.Add(MetricsPayload.Str("code", Codes[code]));
                        requestsSum.DataPoints.Add(dp);
                    }
                }

                cpuSum.DataPoints.Add(Point(pod, startNs, tNs, pod.Cpu[step]));
                memory.DataPoints.Add(Point(pod, 0, tNs, pod.Memory[step]));
                for (var q = 0; q < Queues.Length; q++)
                {
                    var dp = Point(pod, 0, tNs, pod.Queue[q][step]);
                    dp.Attributes.Add(MetricsPayload.Str("queue", Queues[q]));
                    queue.DataPoints.Add(dp);
                }

                for (var h = 0; h < HistogramMethods.Length; h++)
                {
                    var dp = new HistogramDataPoint
                    {
                        StartTimeUnixNano = startNs,
                        TimeUnixNano = tNs,
                        Count = (ulong)pod.Buckets[h][Bounds.Length][step],
                        Sum = pod.Sums[h][step],
                    };
                    dp.ExplicitBounds.Add(Bounds);
                    var below = 0.0;
                    for (var b = 0; b <= Bounds.Length; b++)
                    {
                        var cumulative = pod.Buckets[h][b][step];
                        dp.BucketCounts.Add((ulong)(cumulative - below));
                        below = cumulative;
                    }

                    AddPodAttributes(dp.Attributes, pod);
                    dp.Attributes.Add(MetricsPayload.Str("method", HistogramMethods[h]));
                    histogram.DataPoints.Add(dp);
                }
            }

            var scope = new ScopeMetrics();
            scope.Metrics.Add(new Metric { Name = "http_requests", Description = "HTTP requests served.", Sum = requestsSum });
            scope.Metrics.Add(new Metric { Name = "process_cpu_seconds", Description = "CPU time used.", Sum = cpuSum });
            scope.Metrics.Add(new Metric { Name = "process_resident_memory_bytes", Description = "Resident memory.", Gauge = memory });
            scope.Metrics.Add(new Metric { Name = "queue_messages_ready", Description = "Messages waiting in a queue.", Gauge = queue });
            scope.Metrics.Add(new Metric { Name = "http_request_duration_seconds", Description = "HTTP request latency.", Histogram = histogram });
            requests.Add(Request(scope));
        }

        return requests;
    }

    /// <summary>One gauge <see cref="MarkerName"/> = <paramref name="step"/> at the step's time, sent after the step's data.</summary>
    public ExportMetricsServiceRequest MarkerRequest(int step)
    {
        var gauge = new Gauge();
        gauge.DataPoints.Add(new NumberDataPoint { TimeUnixNano = (ulong)TimeOf(step) * 1_000_000UL, AsDouble = step });
        var scope = new ScopeMetrics();
        scope.Metrics.Add(new Metric { Name = MarkerName, Gauge = gauge });
        return Request(scope);
    }

    /// <summary>An <c>le</c> value as the node's follower spells it (shortest round-trip form).</summary>
    public static string FormatBound(double bound) => bound.ToString("R", CultureInfo.InvariantCulture).Replace('E', 'e');

    private static ExportMetricsServiceRequest Request(ScopeMetrics scope)
    {
        var rm = new OpenTelemetry.Proto.Resource.V1.Resource();
        var resourceMetrics = new ResourceMetrics { Resource = rm };
        resourceMetrics.ScopeMetrics.Add(scope);
        var request = new ExportMetricsServiceRequest();
        request.ResourceMetrics.Add(resourceMetrics);
        return request;
    }

    private static NumberDataPoint Point(Pod pod, ulong startNs, ulong tNs, double value)
    {
        var dp = new NumberDataPoint { StartTimeUnixNano = startNs, TimeUnixNano = tNs, AsDouble = value };
        AddPodAttributes(dp.Attributes, pod);
        return dp;
    }

    private static void AddPodAttributes(Google.Protobuf.Collections.RepeatedField<OpenTelemetry.Proto.Common.V1.KeyValue> attributes, Pod pod)
    {
        attributes.Add(MetricsPayload.Str("namespace", pod.Namespace));
        attributes.Add(MetricsPayload.Str("service", pod.Service));
        attributes.Add(MetricsPayload.Str("pod", pod.Name));
    }

    /// <summary>One pod's series over all steps.</summary>
    private sealed class Pod
    {
        public Pod(int index, int steps)
        {
            var c = CultureInfo.InvariantCulture;
            Namespace = "ns-" + (index % 10).ToString(c);
            Service = "svc-" + (index % 40).ToString(c);
            Name = Service + "-" + index.ToString("D5", c);
            Labels = $"namespace=\"{Namespace}\",service=\"{Service}\",pod=\"{Name}\"";
            Restarts = index % 37 == 5;
            var rnd = new Random(1000 + index);
            var weight = 0.5 + (rnd.NextDouble() * 2);
            Requests = new double[Methods.Length * Codes.Length][];
            for (var s = 0; s < Requests.Length; s++)
            {
                var code = s % Codes.Length;
                var perStep = weight * code switch { 0 => 60, 1 => 8, 2 => 3, 3 => 1, _ => 0.5 } * (s < Codes.Length ? 1 : 0.4);
                Requests[s] = Counter(rnd, steps, perStep, 1);
            }

            Cpu = Counter(rnd, steps, 0.8 * weight, 0.01);
            Memory = new double[steps];
            var mem = 100_000_000 + (rnd.NextDouble() * 400_000_000);
            for (var k = 0; k < steps; k++)
            {
                mem = Math.Clamp(mem + ((rnd.NextDouble() - 0.5) * 8_000_000), 100_000_000, 500_000_000);
                Memory[k] = Math.Round(mem);
            }

            Queue = new double[Queues.Length][];
            for (var q = 0; q < Queues.Length; q++)
            {
                Queue[q] = new double[steps];
                var depth = rnd.Next(0, 500);
                for (var k = 0; k < steps; k++)
                {
                    depth = Math.Max(0, depth + rnd.Next(-40, 41));
                    Queue[q][k] = depth;
                }
            }

            Buckets = new double[HistogramMethods.Length][][];
            Sums = new double[HistogramMethods.Length][];
            for (var h = 0; h < HistogramMethods.Length; h++)
            {
                Buckets[h] = new double[Bounds.Length + 1][];
                for (var b = 0; b <= Bounds.Length; b++)
                {
                    Buckets[h][b] = new double[steps];
                }

                Sums[h] = new double[steps];
                var counts = new long[Bounds.Length + 1];
                var sum = 0.0;
                for (var k = 0; k < steps; k++)
                {
                    if (Restarts && k == RestartStep)
                    {
                        Array.Clear(counts);
                        sum = 0;
                    }

                    var observations = rnd.Next(0, (int)(30 * weight) + 1);
                    for (var o = 0; o < observations; o++)
                    {
                        var d = Math.Round(rnd.NextDouble() * rnd.NextDouble() * rnd.NextDouble() * 3, 4);
                        sum = Math.Round(sum + d, 4);
                        var bucket = 0;
                        while (bucket < Bounds.Length && d > Bounds[bucket])
                        {
                            bucket++;
                        }

                        for (var b = bucket; b <= Bounds.Length; b++)
                        {
                            counts[b]++;
                        }
                    }

                    for (var b = 0; b <= Bounds.Length; b++)
                    {
                        Buckets[h][b][k] = counts[b];
                    }

                    Sums[h][k] = sum;
                }
            }

            double[] Counter(Random r, int n, double perStep, double quantum)
            {
                var values = new double[n];
                var v = 0.0;
                for (var k = 0; k < n; k++)
                {
                    if (Restarts && k == RestartStep)
                    {
                        v = 0;
                    }

                    v += Math.Round(perStep * 2 * r.NextDouble() / quantum) * quantum;
                    v = Math.Round(v / quantum) * quantum;
                    values[k] = v;
                }

                return values;
            }
        }

        public string Namespace { get; }

        public string Service { get; }

        public string Name { get; }

        /// <summary>The pod's labels as OpenMetrics text (<c>namespace="…",service="…",pod="…"</c>).</summary>
        public string Labels { get; }

        public bool Restarts { get; }

        public double[][] Requests { get; }

        public double[] Cpu { get; }

        public double[] Memory { get; }

        public double[][] Queue { get; }

        /// <summary>[method][bucket incl. +Inf][step], cumulative (<c>le</c>) counts.</summary>
        public double[][][] Buckets { get; }

        public double[][] Sums { get; }
    }
}
