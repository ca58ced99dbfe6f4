#!/usr/bin/env node
// Real OpenTelemetry JS SDK client used by the TelemetryCluster C# tests.
//
//   node send.mjs --signal metrics|logs|traces --endpoint http://127.0.0.1:PORT --count N
//                 [--batches B] [--service-name S] [--timeout-ms MS] [--compression none|gzip]
//
// Sends exactly N items (metric data points / log records / spans) over OTLP/gRPC
// (insecure, plaintext HTTP/2) to --endpoint, using the SDK's own providers,
// processors/readers and the @opentelemetry/exporter-*-otlp-grpc exporters.
//
// The N items go out in export requests of ceil(N / B) items each (the last one may be
// smaller), i.e. ceil(N / ceil(N / B)) requests; B defaults to 1 (one request).
//
// Exit code 0 only if every export call reported SUCCESS, the server acknowledged exactly
// N items, no export was left pending, no partial-success rejection was reported and the
// SDK logged no error through the diag logger. Otherwise exit code 1 with the reasons on
// stderr. The last stdout line is always one JSON object, e.g.
//   {"signal":"metrics","sent":7,"failedExports":0,"exports":1,"requested":7,...}
// where "sent" counts the items in exports the server acknowledged with SUCCESS.
// Exit code 2: bad command line.

import { parseArgs } from 'node:util';

// Make the client hermetic: ambient OTEL_* variables (endpoint, headers, TLS
// certificates, sampler, batch sizes, SDK disabled, ...) must not change what the
// tests send. Must happen before any SDK module reads process.env, i.e. before the
// dynamic imports below.
for (const key of Object.keys(process.env)) {
  if (key.startsWith('OTEL_')) delete process.env[key];
}

const USAGE =
  'usage: node send.mjs --signal metrics|logs|traces --endpoint http://127.0.0.1:PORT --count N ' +
  '[--batches B] [--service-name S] [--timeout-ms MS] [--compression none|gzip]';

function usageError(message) {
  process.stderr.write(`send.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parsePositiveInt(name, raw) {
  if (!/^\d+$/.test(raw)) usageError(`--${name} must be a positive integer, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) usageError(`--${name} must be >= 1, got "${raw}"`);
  return value;
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      signal: { type: 'string' },
      endpoint: { type: 'string' },
      count: { type: 'string' },
      batches: { type: 'string', default: '1' },
      'service-name': { type: 'string', default: 'telemetrycluster-js-client' },
      'timeout-ms': { type: 'string', default: '10000' },
      compression: { type: 'string', default: 'none' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (e) {
  usageError(e.message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const signal = args.signal;
if (!['metrics', 'logs', 'traces'].includes(signal)) usageError('--signal must be metrics, logs or traces');
if (!args.endpoint) usageError('--endpoint is required');
if (!/^http:\/\/[^/]+\/?$/.test(args.endpoint)) {
  usageError(`--endpoint must be http://HOST:PORT (plaintext gRPC), got "${args.endpoint}"`);
}
if (args.count === undefined) usageError('--count is required');
const count = parsePositiveInt('count', args.count);
const batches = parsePositiveInt('batches', args.batches);
const timeoutMillis = parsePositiveInt('timeout-ms', args['timeout-ms']);
const serviceName = args['service-name'];
if (!['none', 'gzip'].includes(args.compression)) usageError('--compression must be none or gzip');
const compression = args.compression;
const endpoint = args.endpoint.replace(/\/$/, '');

// Items per export request.
const batchSize = Math.max(1, Math.ceil(count / batches));
const expectedExports = Math.ceil(count / batchSize);

const { diag, DiagLogLevel } = await import('@opentelemetry/api');
const { resourceFromAttributes } = await import('@opentelemetry/resources');

// ---------------------------------------------------------------------------
// Failure detection.
// The SDK's forceFlush()/shutdown() resolve even when an export failed, so we
// (1) wrap exporter.export() to see every ExportResult, and
// (2) install a diag logger: ERROR messages (e.g. globalErrorHandler reports of
//     failed/timed-out exports) are fatal, and so are partial-success responses
//     (logged at WARN by the OTLP exporters); other WARNs are only printed.
// ---------------------------------------------------------------------------
const stats = {
  exportCalls: 0,
  succeededExports: 0,
  failedExports: 0,
  pendingExports: 0,
  partialSuccessResponses: 0,
  ackedItems: 0,
  attemptedItems: 0,
  batchSizes: [],
  errors: [],
  warnings: [],
};

function formatDiagArgs(message, rest) {
  const parts = [String(message)];
  for (const a of rest) {
    if (a instanceof Error) parts.push(`${a.name}: ${a.message}`);
    else if (typeof a === 'object') {
      try { parts.push(JSON.stringify(a)); } catch { parts.push(String(a)); }
    } else parts.push(String(a));
  }
  const text = parts.join(' ');
  return text.length > 600 ? `${text.slice(0, 600)}...` : text;
}

diag.setLogger(
  {
    error: (message, ...rest) => stats.errors.push(`diag error: ${formatDiagArgs(message, rest)}`),
    warn: (message, ...rest) => {
      const text = formatDiagArgs(message, rest);
      if (String(message).includes('Partial Success')) {
        stats.partialSuccessResponses++;
        stats.errors.push(`partial success: ${text}`);
      }
      else stats.warnings.push(`diag warn: ${text}`);
    },
    info: () => {},
    debug: () => {},
    verbose: () => {},
  },
  { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
);

function describeError(error) {
  if (!error) return 'unknown error';
  const code = error.code !== undefined ? ` (code ${error.code})` : '';
  return `${error.message ?? String(error)}${code}`;
}

function instrumentExporter(exporter, countItems) {
  const originalExport = exporter.export.bind(exporter);
  exporter.export = (items, resultCallback) => {
    const n = countItems(items);
    stats.exportCalls++;
    stats.pendingExports++;
    stats.attemptedItems += n;
    stats.batchSizes.push(n);
    let settled = false;
    originalExport(items, (result) => {
      if (!settled) {
        settled = true;
        stats.pendingExports--;
        if (result.code === 0 /* ExportResultCode.SUCCESS */) {
          stats.succeededExports++;
          stats.ackedItems += n;
        } else {
          stats.failedExports++;
          stats.errors.push(`export of ${n} ${signal} items failed: ${describeError(result.error)}`);
        }
      }
      resultCallback(result);
    });
  };
  return exporter;
}

const exporterConfig = {
  url: endpoint,
  timeoutMillis,
  compression,
  // The trace BatchSpanProcessor flushes all full batches in parallel; the default
  // limit of 30 concurrent exports would fail the surplus ones.
  concurrencyLimit: Math.max(30, expectedExports + 1),
};
// Generous: the exporter itself gives up (after its retries) at timeoutMillis.
const processorTimeoutMillis = timeoutMillis + 5000;
const resource = resourceFromAttributes({
  'service.name': serviceName,
  'telemetry.test.client': 'telemetrycluster-js-client',
});

async function sendMetrics() {
  const { MeterProvider, PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
  const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-grpc');
  const exporter = instrumentExporter(new OTLPMetricExporter(exporterConfig), (rm) =>
    rm.scopeMetrics.reduce((s, sm) => s + sm.metrics.reduce((t, m) => t + m.dataPoints.length, 0), 0),
  );
  // Exactly one collection: the interval never fires during the run, and we do not call
  // forceFlush() -- MeterProvider.shutdown() makes the reader collect + export once.
  // (forceFlush() followed by shutdown() would export the cumulative points twice.)
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: 24 * 60 * 60 * 1000,
    exportTimeoutMillis: processorTimeoutMillis,
    maxExportBatchSize: batchSize,
    // Default cardinality limit is 2000 per instrument (overflow folds the rest into one point).
    cardinalityLimits: { default: Math.max(2000, count + 1) },
  });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  const meter = meterProvider.getMeter('telemetrycluster.test.js-client', '1.0.0');
  // One cumulative monotonic Counter; N distinct attribute sets => N data points.
  const counter = meter.createCounter('telemetrycluster.test.js.counter', {
    description: 'One data point per attribute value i (TelemetryCluster JS test client)',
    unit: '1',
  });
  for (let i = 0; i < count; i++) counter.add(1, { i });
  await meterProvider.shutdown();
}

async function sendLogs() {
  const { SeverityNumber } = await import('@opentelemetry/api-logs');
  const { LoggerProvider, BatchLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
  const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-grpc');
  const exporter = instrumentExporter(new OTLPLogExporter(exporterConfig), (records) => records.length);
  // sdk-logs 0.223 takes a single options object (exporter included).
  const processor = new BatchLogRecordProcessor({
    exporter,
    maxExportBatchSize: batchSize,
    maxQueueSize: Math.max(2048, count),
    scheduledDelayMillis: 60 * 60 * 1000,
    exportTimeoutMillis: processorTimeoutMillis,
  });
  const loggerProvider = new LoggerProvider({ resource, processors: [processor] });
  const logger = loggerProvider.getLogger('telemetrycluster.test.js-client', '1.0.0');
  for (let i = 0; i < count; i++) {
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: `log record ${i}`,
      attributes: { i },
    });
  }
  await loggerProvider.forceFlush();
  await loggerProvider.shutdown();
}

async function sendTraces() {
  const { BasicTracerProvider, BatchSpanProcessor, AlwaysOnSampler } = await import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
  const exporter = instrumentExporter(new OTLPTraceExporter(exporterConfig), (spans) => spans.length);
  const processor = new BatchSpanProcessor(exporter, {
    maxExportBatchSize: batchSize,
    maxQueueSize: Math.max(2048, count),
    scheduledDelayMillis: 60 * 60 * 1000,
    exportTimeoutMillis: processorTimeoutMillis,
  });
  const tracerProvider = new BasicTracerProvider({
    resource,
    sampler: new AlwaysOnSampler(),
    spanProcessors: [processor],
  });
  const tracer = tracerProvider.getTracer('telemetrycluster.test.js-client', '1.0.0');
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`span ${i}`, { attributes: { i } });
    span.end();
  }
  try {
    // BatchSpanProcessor.forceFlush rejects when an export fails; the failure is
    // already recorded by the export wrapper, so just note it.
    await tracerProvider.forceFlush();
  } catch (e) {
    stats.warnings.push(`forceFlush rejected: ${describeError(e)}`);
  }
  await tracerProvider.shutdown();
}

let fatal = null;
try {
  if (signal === 'metrics') await sendMetrics();
  else if (signal === 'logs') await sendLogs();
  else await sendTraces();
} catch (e) {
  fatal = e;
  stats.errors.push(`unexpected error: ${e?.stack ?? String(e)}`);
}

const problems = [...stats.errors];
if (stats.pendingExports > 0) problems.push(`${stats.pendingExports} export(s) never completed`);
if (stats.ackedItems !== count) {
  problems.push(`server acknowledged ${stats.ackedItems} of ${count} ${signal} items (attempted ${stats.attemptedItems})`);
}
const ok = problems.length === 0 && fatal === null;

for (const w of stats.warnings) process.stderr.write(`send.mjs: ${w}\n`);
for (const p of problems) process.stderr.write(`send.mjs: ERROR: ${p}\n`);

process.stdout.write(
  `${JSON.stringify({
    signal,
    sent: stats.ackedItems,
    failedExports: stats.failedExports,
    requested: count,
    exports: stats.exportCalls,
    expectedExports,
    batchSizes: stats.batchSizes,
    partialSuccessResponses: stats.partialSuccessResponses,
    ok,
  })}\n`,
);
// Exit explicitly: grpc-js may hold sockets/timers open after a failed export.
process.exit(ok ? 0 : 1);
