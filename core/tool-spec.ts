/**
 * ToolSpec: what a workflow knows about a tool. The implementation lives on the worker
 * and is found by name; a spec never carries code. Runs in the sandbox.
 */
import { z } from 'zod';
import { DurationSchema, durationToMs } from './durations';
import { JsonSchemaObject } from './agent-spec';

/** Tool names as every provider accepts them (OpenAI's function-name rule). */
export const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

export const RiskLevelSchema = z.enum(['low', 'medium', 'high']);
export type RiskLevel = z.infer<typeof RiskLevelSchema>;

export const ToolRetrySchema = z
  .object({
    maximumAttempts: z.number().int().positive().default(3),
    initialInterval: DurationSchema.default('1s'),
    backoffCoefficient: z.number().min(1).default(2),
    maximumInterval: DurationSchema.default('30s'),
  })
  .strict();

export const ToolSpecSchema = z
  .object({
    name: z.string().regex(toolNamePattern, 'expected 1-64 letters, digits, "_" or "-"'),
    description: z.string().min(1),
    inputSchema: JsonSchemaObject,
    risk: RiskLevelSchema.default('low'),
    startToCloseTimeout: DurationSchema.default('60s'),
    /**
     * How soon a call whose worker died is retried (default 10s, `defaultToolHeartbeatTimeout`).
     * Baton heartbeats while the tool runs; raise it only for a tool that blocks the event loop longer.
     */
    heartbeatTimeout: DurationSchema.optional(),
    retry: ToolRetrySchema.default(ToolRetrySchema.parse({})),
    /** After the last retry: 'report' gives the error to the model, 'fail' fails the run. */
    onError: z.enum(['report', 'fail']).default('report'),
    /** Reuse results across runs: for `ttl`, calls whose `key` argument fields (all by default) match. */
    cache: z.object({ ttl: DurationSchema, key: z.array(z.string()).min(1).optional() }).strict().optional(),
    /** Where the tool came from, for discovery (`typescript`, or `mcp:<server>`). */
    source: z.string().default('typescript'),
    /**
     * Run as a local activity, in the worker that runs the workflow: no round trip through the
     * server's task queue (about half the time of a tool step). Only for short, idempotent
     * tools: a local activity cannot heartbeat or run on another pool, and a crash re-runs it.
     */
    local: z.boolean().default(false),
  })
  .strict();

/** Local tools must finish within this; longer calls belong in normal activities. */
export const maxLocalToolMs = 10_000;

/** Why a spec cannot run as a local activity, or undefined when it can (or is not local). */
export function localToolProblem(spec: Pick<ToolSpec, 'local' | 'startToCloseTimeout' | 'name'>): string | undefined {
  if (!spec.local) return undefined;
  if (durationToMs(spec.startToCloseTimeout) > maxLocalToolMs) {
    return `tool "${spec.name}" is local, so its startToCloseTimeout must be at most ${maxLocalToolMs / 1000}s (got ${spec.startToCloseTimeout}); shorten it or drop local: true`;
  }
  return undefined;
}

export type ToolSpec = z.output<typeof ToolSpecSchema>;
export type ToolSpecInput = z.input<typeof ToolSpecSchema>;
