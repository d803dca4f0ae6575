/**
 * OTLP protocols: spans exported by Baton's own tracing entry point over http/protobuf and gRPC
 * to real receivers on loopback, decoded with the OTLP protobuf definitions that ship with the
 * exporters (@opentelemetry/otlp-transformer), and which setting picks the protocol.
 */
import { createServer, type Server } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { context, propagation, trace } from '@opentelemetry/api';
import otlpRoot from '@opentelemetry/otlp-transformer/build/src/generated/root';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startTracing, tracingProtocol, withSpan } from '../client/tracing';
import { startTracingSdk } from '../client/tracing-sdk';
import { validateConfig } from '../config/define-config';
import { TelemetrySettingsSchema, type TracingSettings } from '../config/telemetry-settings';
import { startOtlpReceiver } from './helpers/otlp-receiver';

interface KeyValue { key: string; value?: { stringValue?: string } }
interface DecodedRequest { resourceSpans: Array<{ resource?: { attributes: KeyValue[] }; scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }
const ExportTraceServiceRequest = (otlpRoot as unknown as {
  opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(body: Uint8Array): DecodedRequest } } } } } };
}).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** A received span: its name and its resource's service.name. */
interface Received { service: string | undefined; name: string }

/** Decodes an ExportTraceServiceRequest body into the spans it carries. */
function decodeSpans(body: Uint8Array): Received[] {
  return ExportTraceServiceRequest.decode(body).resourceSpans.flatMap((rs) => {
    const service = rs.resource?.attributes.find((kv) => kv.key === 'service.name')?.value?.stringValue;
    return rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => ({ service, name: span.name })));
  });
}

/** An OTLP/HTTP receiver on 127.0.0.1 that takes protobuf bodies on any path and records where each came. */
async function startProtobufReceiver() {
  const requests: Array<{ path: string | undefined; contentType: string | undefined }> = [];
  const spans: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ path: req.url, contentType: req.headers['content-type'] });
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/x-protobuf') {
        res.writeHead(415).end();
        return;
      }
      spans.push(...decodeSpans(Buffer.concat(chunks)));
      // An empty ExportTraceServiceResponse.
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, requests, spans, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A gRPC server on 127.0.0.1 implementing TraceService/Export over raw buffers. */
async function startGrpcReceiver() {
  const spans: Received[] = [];
  const raw = (buffer: Buffer) => buffer;
  const service: grpc.ServiceDefinition = {
    Export: {
      path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      requestStream: false,
      responseStream: false,
      requestSerialize: raw,
      requestDeserialize: raw,
      responseSerialize: raw,
      responseDeserialize: raw,
    },
  };
  const exportSpans: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    spans.push(...decodeSpans(call.request));
    callback(null, Buffer.alloc(0));
  };
  const server = new grpc.Server();
  server.addService(service, { Export: exportSpans });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, spans, close: () => server.forceShutdown() };
}

/** Starts Baton's tracing, makes one span through `withSpan` and flushes it with `shutdown`. */
async function exportOneSpan(settings: TracingSettings, env: NodeJS.ProcessEnv, name: string): Promise<void> {
  const tracing = await startTracingSdk(settings, 'baton-test', env);
  await withSpan(name, {}, async () => undefined);
  await tracing.shutdown();
}

const endpointVariables = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'];

beforeEach(() => {
  // The exporters read their endpoint from process.env: start every test without one.
  for (const name of endpointVariables) vi.stubEnv(name, '');
});

afterEach(() => {
  vi.unstubAllEnvs();
  // Each test registers its own provider: clear the globals the previous one set.
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('tracing over http/protobuf', () => {
  it('posts protobuf to <endpoint>/v1/traces with the span and the service name', async () => {
    const receiver = await startProtobufReceiver();
    try {
      await exportOneSpan({ endpoint: receiver.endpoint, protocol: 'http/protobuf', serviceName: 'baton-proto', recordContent: false }, {}, 'baton.proto');
      expect(receiver.requests).toEqual([{ path: '/v1/traces', contentType: 'application/x-protobuf' }]);
      expect(receiver.spans).toEqual([{ service: 'baton-proto', name: 'baton.proto' }]);
    } finally {
      await receiver.close();
    }
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is and appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT only', async () => {
    const receiver = await startProtobufReceiver();
    try {
      // The environment wins over the config's protocol and endpoint, the signal-specific variables over the generic ones.
      const config: TracingSettings = { endpoint: 'http://127.0.0.1:9/unused', protocol: 'grpc', recordContent: false };
      vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
      vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'http/protobuf');
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', `${receiver.endpoint}/generic`);
      vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', `${receiver.endpoint}/collector/traces`);
      await exportOneSpan(config, process.env, 'baton.specific');
      trace.disable();
      vi.stubEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '');
      await exportOneSpan(config, process.env, 'baton.generic');
      expect(receiver.requests.map((r) => r.path)).toEqual(['/collector/traces', '/generic/v1/traces']);
      expect(receiver.spans.map((s) => s.name)).toEqual(['baton.specific', 'baton.generic']);
    } finally {
      await receiver.close();
    }
  });
});

describe('tracing over grpc', () => {
  it('calls TraceService/Export at the config endpoint with the span and the service name', async () => {
    const receiver = await startGrpcReceiver();
    try {
      await exportOneSpan({ endpoint: `http://${receiver.address}`, protocol: 'grpc', serviceName: 'baton-grpc', recordContent: false }, {}, 'baton.grpc');
      expect(receiver.spans).toEqual([{ service: 'baton-grpc', name: 'baton.grpc' }]);
    } finally {
      receiver.close();
    }
  });

  it('takes OTEL_EXPORTER_OTLP_PROTOCOL=grpc with a collector\'s gRPC endpoint, used as is, through startTracing (started once)', async () => {
    const receiver = await startGrpcReceiver();
    try {
      vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc');
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', `http://${receiver.address}`);
      vi.stubEnv('OTEL_SERVICE_NAME', 'baton-grpc-env');
      // Two callers that race share one start: one provider, one exporter.
      const [tracing, again] = await Promise.all([startTracing(undefined, 'baton-test', process.env), startTracing(undefined, 'baton-other', process.env)]);
      expect(again).toBe(tracing);
      await withSpan('baton.grpc-env', {}, async () => undefined);
      await tracing?.shutdown();
      expect(receiver.spans).toEqual([{ service: 'baton-grpc-env', name: 'baton.grpc-env' }]);
    } finally {
      receiver.close();
    }
  });
});

describe('tracingProtocol', () => {
  it('takes OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL, then the config, then http/json', () => {
    const config: TracingSettings = { protocol: 'http/protobuf', recordContent: false };
    expect(tracingProtocol(undefined, {})).toBe('http/json');
    expect(tracingProtocol(true, {})).toBe('http/json');
    expect(tracingProtocol(config, {})).toBe('http/protobuf');
    expect(tracingProtocol(config, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBe('grpc');
    expect(tracingProtocol(config, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' })).toBe('http/json');
    // An empty variable counts as unset, as the exporters read the endpoint variables.
    expect(tracingProtocol(config, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: ' ', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBe('grpc');
  });

  it('rejects an unknown protocol, naming the variable or the config path and the accepted values', async () => {
    expect(() => tracingProtocol(undefined, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http' })).toThrow(
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: expected one of http/json, http/protobuf, grpc, got "http"',
    );
    await expect(startTracingSdk({ endpoint: 'http://127.0.0.1:9', recordContent: false }, 'baton-test', { OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' })).rejects.toThrow(
      'OTEL_EXPORTER_OTLP_PROTOCOL: expected one of http/json, http/protobuf, grpc, got "thrift"',
    );
    // Nothing started: no provider was registered.
    expect(trace.getTracer('baton').startSpan('after').isRecording()).toBe(false);
    expect(() => validateConfig({ providers: {}, agents: {}, telemetry: { tracing: { protocol: 'http/proto' } } })).toThrow(
      'telemetry.tracing.protocol: expected one of http/json, http/protobuf, grpc',
    );
    expect(TelemetrySettingsSchema.parse({ tracing: { protocol: 'grpc' } }).tracing).toMatchObject({ protocol: 'grpc' });
  });

  it('keeps OTLP/HTTP JSON when nothing names a protocol', async () => {
    const receiver = await startOtlpReceiver();
    try {
      await exportOneSpan({ endpoint: receiver.endpoint, recordContent: false }, {}, 'baton.json');
      expect(receiver.spans.map((s) => s.name)).toEqual(['baton.json']);
    } finally {
      await receiver.close();
    }
  });
});
