/** Config for metrics (`worker.metrics`) and tracing (`telemetry.tracing`); both off by default. */
import { z } from 'zod';

/** `worker.metrics` / `baton worker --metrics`: `host:port`, or a port alone (then 127.0.0.1). */
export const MetricsAddressSchema = z.union([
  z.number().int().min(1).max(65535),
  z.string().regex(/^(?:\S+:)?\d{1,5}$/, 'expected host:port (e.g. 127.0.0.1:9464) or a port'),
]);

/** How spans travel to the collector, as OTEL_EXPORTER_OTLP_PROTOCOL names it; `http/json` is Baton's default. */
export const tracingProtocols = ['http/json', 'http/protobuf', 'grpc'] as const;
export type TracingProtocol = (typeof tracingProtocols)[number];

/** Config `telemetry.tracing`: `true` (endpoint from the environment) or the settings themselves. */
export const TracingSettingsSchema = z.union([
  z.boolean(),
  z
    .object({
      /** Collector URL, like OTEL_EXPORTER_OTLP_ENDPOINT (over HTTP spans go to `<endpoint>/v1/traces`, over gRPC to the endpoint as is); the environment wins. */
      endpoint: z.string().url().optional(),
      /** `http/json` (default), `http/protobuf` or `grpc`; OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL, win. */
      protocol: z
        .string()
        .refine((v) => (tracingProtocols as readonly string[]).includes(v), `expected one of ${tracingProtocols.join(', ')}`)
        .transform((v) => v as TracingProtocol)
        .optional(),
      /** `service.name` of the spans; OTEL_SERVICE_NAME wins. Default: baton-worker or baton-client. */
      serviceName: z.string().min(1).optional(),
      /** Record prompts, completions, tool arguments and results on spans (off: only names, models and token counts). */
      recordContent: z.boolean().default(false),
      /** Share of traces kept (0 to 1), decided where a trace starts and followed by every worker; OTEL_TRACES_SAMPLER wins. Default: all. */
      sampleRatio: z.number().min(0).max(1).optional(),
      /** `calls` (default): runs and Baton's `chat` / `execute_tool` spans; `all`: Temporal's StartActivity and RunActivity spans too. BATON_TRACING_SPANS wins. */
      // A refinement, not an enum: inside the union, only a check (not a type) error names its field.
      spans: z.string().refine((v) => v === 'calls' || v === 'all', 'expected calls or all').transform((v) => v as 'calls' | 'all').optional(),
    })
    .strict(),
]);
export type TracingSettings = z.output<typeof TracingSettingsSchema>;

/** Config `telemetry`. */
export const TelemetrySettingsSchema = z.object({ tracing: TracingSettingsSchema.optional() }).strict();
