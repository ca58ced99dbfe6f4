using System.Collections.Immutable;
using System.Text;
using Akka.Streams;
using Akka.Streams.Stage;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using TelemetryCluster.Streams.Components;
using TelemetryCluster.Streams.Data;
using TelemetryCluster.Streams.Engine;

namespace TelemetryCluster.Streams.Processors.Batch;

/// <summary>
/// The batch processor's stage. It merges incoming batches per metadata-value combination ("batcher") and emits a
/// batch when a batcher reaches <c>send_batch_size</c> items (split at <c>send_batch_max_size</c>), when the batcher's
/// timeout elapses, and on upstream completion. Output batches carry the acks of every input they contain.
/// </summary>
/// <remarks>
/// Backpressure: the stage holds at most <see cref="_capacity"/> items (pending plus ready to emit) before it stops
/// pulling; a single larger request is still taken whole. Inputs are never modified: the stage builds new requests
/// that reference the inputs' resources and items (see <see cref="OtlpItems.TakeFront(IMessage, int)"/>).
/// </remarks>
internal sealed class BatchProcessorStage : GraphStage<FlowShape<TelemetryBatch, TelemetryBatch>>
{
    /// <summary>The collector's error text, used as the failure reason of the refused request's acks.</summary>
    public const string CardinalityReason = "too many batcher metadata-value combinations";

    /// <summary>Reason given to the acks of data still held when the stage stops without sending it.</summary>
    public const string StoppedReason = "batch processor stopped before sending";

    /// <summary>Retry hint for data the stage could not send because it stopped (shutdown or downstream cancelled).</summary>
    public static readonly TimeSpan StoppedRetryAfter = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan CardinalityLogInterval = TimeSpan.FromMinutes(1);

    private readonly BatchProcessorConfig _config;
    private readonly long _capacity;
    private readonly ComponentContext _context;
    private readonly PipelineId _pipeline;
    private readonly BatchProcessorTelemetry _telemetry;
    private readonly ILogger _logger;

    public BatchProcessorStage(
        BatchProcessorConfig config,
        long capacity,
        ComponentContext context,
        PipelineId pipeline,
        BatchProcessorTelemetry telemetry,
        ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _config = config;
        _capacity = capacity;
        _context = context;
        _pipeline = pipeline;
        _telemetry = telemetry;
        _logger = logger;
        Shape = new FlowShape<TelemetryBatch, TelemetryBatch>(In, Out);
    }

    public Inlet<TelemetryBatch> In { get; } = new("batch.in");

    public Outlet<TelemetryBatch> Out { get; } = new("batch.out");

    public override FlowShape<TelemetryBatch, TelemetryBatch> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("batch");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    /// <summary>The pending batch of one metadata-value combination (and signal).</summary>
    private sealed class Batcher(string key, Signal signal, ClientMetadata metadata, long sequence)
    {
        public string Key { get; } = key;

        public Signal Signal { get; } = signal;

        /// <summary>The metadata of the batches it sends: the values of <c>metadata_keys</c> only.</summary>
        public ClientMetadata Metadata { get; } = metadata;

        /// <summary>Creation order, to find the oldest batcher when the buffer is full.</summary>
        public long Sequence { get; } = sequence;

        /// <summary>The merged request (a new request owned by the stage), or null when nothing is pending.</summary>
        public IMessage? Pending { get; set; }

        public long Items { get; set; }

        /// <summary>
        /// One entry per input batch merged into <see cref="Pending"/>, in order: its acks and its item count. The
        /// front entry may already have sent <see cref="FrontTaken"/> of its items in earlier pieces.
        /// </summary>
        public Queue<(AckSet Acks, long Items)> Segments { get; } = new();

        public long FrontTaken { get; set; }

        public bool TimerRunning { get; set; }

        public bool IsEmpty => Segments.Count == 0;
    }

    private sealed class Logic : TimerGraphStageLogic, IInHandler, IOutHandler
    {
        private readonly BatchProcessorStage _stage;
        private readonly BatchProcessorConfig _config;
        private readonly ImmutableArray<string> _metadataKeys;
        private readonly string _componentId;
        private readonly string _pipelineId;
        private readonly Dictionary<string, Batcher> _batchers = new(StringComparer.Ordinal);
        private readonly Queue<TelemetryBatch> _ready = new();
        private readonly StringBuilder _keyBuilder = new();
        private readonly ImmutableArray<Ack>.Builder _ackBuilder = ImmutableArray.CreateBuilder<Ack>();
        private long _pendingItems;
        private long _readyItems;
        private long _nextSequence;
        private Exception? _upstreamFailure;
        private long _lastCardinalityLog = long.MinValue;
        private long _rejectedRequests;
        private long _rejectedItems;

        public Logic(BatchProcessorStage stage)
            : base(stage.Shape)
        {
            _stage = stage;
            _config = stage._config;
            _metadataKeys = _config.MetadataKeys.IsDefault ? ImmutableArray<string>.Empty : _config.MetadataKeys;
            _componentId = stage._context.Id.ToString();
            _pipelineId = stage._pipeline.ToString();
            SetHandler(stage.In, this);
            SetHandler(stage.Out, this);
        }

        private long Buffered => _pendingItems + _readyItems;

        public override void PreStart()
        {
            _stage._logger.Started(_componentId, _pipelineId, _config.SendBatchSize, _config.Timeout, _config.SendBatchMaxSize, _stage._capacity);
            PullIfRoom();
        }

        public override void PostStop()
        {
            // Normally nothing is left; after a downstream cancel or an abrupt stop, the senders must hear about it.
            ReleaseHeld();
        }

        // ---- upstream -------------------------------------------------------------------------------------------

        public void OnPush()
        {
            var batch = Grab(_stage.In);
            Accept(batch);
            EmitReady();
            PullIfRoom();
        }

        public void OnUpstreamFinish()
        {
            var items = _pendingItems;
            FlushEverything();
            _stage._logger.Flushed(_componentId, _pipelineId, items);
            EmitReady();
        }

        public void OnUpstreamFailure(Exception e)
        {
            _stage._logger.UpstreamFailed(e, _componentId, _pipelineId, Buffered);
            _upstreamFailure = e;
            FlushEverything();
            EmitReady();
        }

        // ---- downstream -----------------------------------------------------------------------------------------

        public void OnPull()
        {
            if (_ready.Count == 0 && Buffered >= _stage._capacity)
            {
                // Full of pending data that waits for timers while downstream has room: send the oldest batch now
                // rather than stall until its timeout (happens with many metadata combinations).
                FlushOldest();
            }

            EmitReady();
            PullIfRoom();
        }

        public void OnDownstreamFinish(Exception cause)
        {
            ReleaseHeld();
            CompleteStage();
        }

        // ---- timers ---------------------------------------------------------------------------------------------

        protected override void OnTimer(object timerKey)
        {
            var batcher = (Batcher)timerKey;
            batcher.TimerRunning = false;
            if (!_batchers.TryGetValue(batcher.Key, out var current) || !ReferenceEquals(current, batcher))
            {
                return;
            }

            FlushAll(batcher, BatchSendTrigger.Timeout);
            Remove(batcher);
            EmitReady();
            PullIfRoom();
        }

        // ---- batching -------------------------------------------------------------------------------------------

        private void Accept(TelemetryBatch batch)
        {
            // Recount rather than trust ItemCount: the ack bookkeeping must match the payload exactly.
            var items = OtlpItems.Count(batch.Payload);
            var key = KeyOf(batch);
            if (!_batchers.TryGetValue(key, out var batcher))
            {
                if (_metadataKeys.Length > 0 && _config.MetadataCardinalityLimit != 0 && _batchers.Count >= _config.MetadataCardinalityLimit)
                {
                    Reject(batch, items);
                    return;
                }

                batcher = new Batcher(key, batch.Signal, MetadataOf(batch), _nextSequence++);
                _batchers.Add(key, batcher);
                _stage._telemetry.CardinalityChanged(1);
            }

            batcher.Pending ??= OtlpItems.NewEmptyLike(batch.Payload);
            OtlpItems.AppendShared(batcher.Pending, batch.Payload);
            batcher.Segments.Enqueue((batch.Acks, items));
            batcher.Items += items;
            _pendingItems += items;

            if (_config.Timeout <= TimeSpan.Zero)
            {
                FlushAll(batcher, BatchSendTrigger.Size);
            }
            else
            {
                while (batcher.Items > 0 && batcher.Items >= _config.SendBatchSize)
                {
                    FlushOne(batcher, BatchSendTrigger.Size);
                }
            }

            if (batcher.IsEmpty)
            {
                Remove(batcher);
            }
            else if (!batcher.TimerRunning)
            {
                // The timer runs from the first item of the pending batch; a remainder left by a size-triggered
                // split keeps the running timer, so no item waits longer than the timeout.
                ScheduleOnce(batcher, _config.Timeout);
                batcher.TimerRunning = true;
            }
        }

        private void Reject(TelemetryBatch batch, long items)
        {
            batch.Acks.ReleaseAll(AckOutcome.Fail(CardinalityReason));
            _stage._context.Telemetry.Add(ComponentKind.Processor, _stage._context.Id, batch.Signal, Outcomes.Dropped, items, CardinalityReason);
            _rejectedRequests++;
            _rejectedItems += items;

            var now = _stage._context.Time.GetTimestamp();
            if (_lastCardinalityLog == long.MinValue || _stage._context.Time.GetElapsedTime(_lastCardinalityLog, now) >= CardinalityLogInterval)
            {
                _stage._logger.CardinalityLimitReached(_componentId, _pipelineId, _config.MetadataCardinalityLimit, _rejectedRequests, _rejectedItems);
                _lastCardinalityLog = now;
                _rejectedRequests = 0;
                _rejectedItems = 0;
            }
        }

        private void FlushEverything()
        {
            if (_batchers.Count == 0)
            {
                return;
            }

            foreach (var batcher in _batchers.Values.OrderBy(b => b.Sequence).ToList())
            {
                FlushAll(batcher, BatchSendTrigger.Timeout);
                Remove(batcher);
            }
        }

        private void FlushOldest()
        {
            Batcher? oldest = null;
            foreach (var batcher in _batchers.Values)
            {
                if (!batcher.IsEmpty && (oldest is null || batcher.Sequence < oldest.Sequence))
                {
                    oldest = batcher;
                }
            }

            if (oldest is not null)
            {
                FlushAll(oldest, BatchSendTrigger.BufferFull);
                Remove(oldest);
            }
        }

        private void FlushAll(Batcher batcher, BatchSendTrigger trigger)
        {
            while (!batcher.IsEmpty)
            {
                FlushOne(batcher, trigger);
            }
        }

        /// <summary>Moves up to <c>send_batch_max_size</c> items of a batcher into one output batch, ready to emit.</summary>
        private void FlushOne(Batcher batcher, BatchSendTrigger trigger)
        {
            var max = _config.SendBatchMaxSize;
            IMessage payload;
            long taken;
            AckSet acks;
            if (max == 0 || batcher.Items <= max)
            {
                // Everything goes: hand over the merged request itself.
                payload = batcher.Pending!;
                taken = batcher.Items;
                batcher.Pending = null;
                acks = TakeAcks(batcher, taken, emptied: true);
            }
            else
            {
                payload = OtlpItems.TakeFront(batcher.Pending!, (int)Math.Min(max, int.MaxValue), out var count);
                taken = count;
                // Taking fewer items than pending always leaves items behind; checked anyway to keep the acks exact.
                var emptied = IsStructurallyEmpty(batcher.Pending!);
                if (emptied)
                {
                    batcher.Pending = null;
                }

                acks = TakeAcks(batcher, taken, emptied);
            }

            batcher.Items -= taken;
            _pendingItems -= taken;
            var output = TelemetryBatch.Create(payload, acks, batcher.Metadata);
            _ready.Enqueue(output);
            _readyItems += output.ItemCount;
            _stage._telemetry.BatchSent(taken, trigger);
        }

        /// <summary>
        /// The acks of the inputs whose items (or item-less content) are in the piece just taken from the front. An
        /// input cut by this piece stays at the front of the queue and is retained once more: it is in this piece
        /// and in a later one, and each piece releases it once.
        /// </summary>
        private AckSet TakeAcks(Batcher batcher, long taken, bool emptied)
        {
            var segments = batcher.Segments;
            if (emptied && segments.Count == 1)
            {
                batcher.FrontTaken = 0;
                return segments.Dequeue().Acks;
            }

            _ackBuilder.Clear();
            var left = taken;
            while (segments.Count > 0)
            {
                var (acks, items) = segments.Peek();
                var remaining = items - batcher.FrontTaken;
                if (emptied || remaining <= left)
                {
                    // Wholly in this piece (items without any left over, and item-less inputs right behind them).
                    left -= Math.Min(remaining, left);
                    Append(acks);
                    segments.Dequeue();
                    batcher.FrontTaken = 0;
                    continue;
                }

                if (left > 0)
                {
                    acks.RetainAll(1);
                    Append(acks);
                    batcher.FrontTaken += left;
                }

                break;
            }

            return new AckSet(_ackBuilder.DrainToImmutable());
        }

        private void Append(AckSet acks)
        {
            if (!acks.IsEmpty)
            {
                _ackBuilder.AddRange(acks.Items);
            }
        }

        private void Remove(Batcher batcher)
        {
            if (batcher.TimerRunning)
            {
                CancelTimer(batcher);
                batcher.TimerRunning = false;
            }

            if (_batchers.Remove(batcher.Key))
            {
                _stage._telemetry.CardinalityChanged(-1);
            }
        }

        private void EmitReady()
        {
            if (_ready.Count > 0 && IsAvailable(_stage.Out))
            {
                var next = _ready.Dequeue();
                _readyItems -= next.ItemCount;
                Push(_stage.Out, next);
            }

            if (_ready.Count == 0 && _batchers.Count == 0 && IsClosed(_stage.In))
            {
                if (_upstreamFailure is { } failure)
                {
                    FailStage(failure);
                }
                else
                {
                    CompleteStage();
                }
            }
        }

        private void PullIfRoom()
        {
            if (!IsClosed(_stage.In) && !HasBeenPulled(_stage.In) && Buffered < _stage._capacity)
            {
                Pull(_stage.In);
            }
        }

        /// <summary>Refuses (retry later) the acks of everything still held, counting the items.</summary>
        private void ReleaseHeld()
        {
            if (_ready.Count == 0 && _batchers.Count == 0)
            {
                return;
            }

            var outcome = AckOutcome.Refuse(StoppedReason, StoppedRetryAfter);
            var telemetry = _stage._context.Telemetry;
            var id = _stage._context.Id;
            long items = 0;
            var parts = 0;
            while (_ready.Count > 0)
            {
                var batch = _ready.Dequeue();
                batch.Acks.ReleaseAll(outcome);
                telemetry.Add(ComponentKind.Processor, id, batch.Signal, Outcomes.Refused, batch.ItemCount, StoppedReason);
                items += batch.ItemCount;
                parts++;
            }

            foreach (var batcher in _batchers.Values.ToList())
            {
                while (batcher.Segments.Count > 0)
                {
                    var (acks, segmentItems) = batcher.Segments.Dequeue();
                    var remaining = segmentItems - batcher.FrontTaken;
                    batcher.FrontTaken = 0;
                    acks.ReleaseAll(outcome);
                    telemetry.Add(ComponentKind.Processor, id, batcher.Signal, Outcomes.Refused, remaining, StoppedReason);
                    items += remaining;
                    parts++;
                }

                batcher.Pending = null;
                batcher.Items = 0;
                Remove(batcher);
            }

            _readyItems = 0;
            _pendingItems = 0;
            _stage._logger.StoppedWithData(_componentId, _pipelineId, items, parts);
        }

        // ---- metadata partitioning ------------------------------------------------------------------------------

        /// <summary>
        /// The batcher key: the signal plus, for each metadata key, "missing" or its values (length-prefixed, so any
        /// value text maps to a distinct key; a missing key and an empty value differ).
        /// </summary>
        private string KeyOf(TelemetryBatch batch)
        {
            if (_metadataKeys.Length == 0)
            {
                return batch.Signal switch
                {
                    Signal.Traces => "t",
                    Signal.Metrics => "m",
                    _ => "l",
                };
            }

            var builder = _keyBuilder.Clear();
            builder.Append((int)batch.Signal);
            var metadata = batch.Metadata;
            foreach (var key in _metadataKeys)
            {
                if (!metadata.Values.TryGetValue(key, out var values))
                {
                    builder.Append('-');
                    continue;
                }

                builder.Append('+').Append(values.IsDefault ? 0 : values.Length).Append(':');
                if (!values.IsDefault)
                {
                    foreach (var value in values)
                    {
                        builder.Append(value.Length).Append(':').Append(value);
                    }
                }
            }

            return builder.ToString();
        }

        private ClientMetadata MetadataOf(TelemetryBatch batch)
        {
            if (_metadataKeys.Length == 0)
            {
                return ClientMetadata.Empty;
            }

            var values = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var key in _metadataKeys)
            {
                if (batch.Metadata.Values.TryGetValue(key, out var value))
                {
                    values[key] = value;
                }
            }

            return values.Count == 0 ? ClientMetadata.Empty : new ClientMetadata(values.ToImmutable());
        }

        private static bool IsStructurallyEmpty(IMessage request) => request switch
        {
            OpenTelemetry.Proto.Collector.Metrics.V1.ExportMetricsServiceRequest m => m.ResourceMetrics.Count == 0,
            OpenTelemetry.Proto.Collector.Logs.V1.ExportLogsServiceRequest l => l.ResourceLogs.Count == 0,
            OpenTelemetry.Proto.Collector.Trace.V1.ExportTraceServiceRequest t => t.ResourceSpans.Count == 0,
            _ => true,
        };
    }
}
