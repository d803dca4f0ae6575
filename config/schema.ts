/** The config file's schema: everything is validated before a worker or run starts. */
import { z } from 'zod';
import { AgentSpecSchema, DurationSchema, agentNamePattern, notReserved } from '../core';
import { ProviderConfigSchema } from '../activities/providers/config';
import type { BatonTool } from '../activities/tools/define-tool';
import { McpServersSchema, mcpServerOf } from '../activities/tools/mcp-config';
import { EncryptionSettingsSchema } from '../codec/settings';
import { AuditSettingsSchema, defaultAuditSettings } from '../client/ops/audit-settings';
import { MetricsAddressSchema, TelemetrySettingsSchema } from './telemetry-settings';
import { CircuitBreakerSettingsSchema } from '../activities/providers/circuit-breaker';
import { PoolsSchema, resolvePool } from './pools';
import { DeploymentSettingsSchema, PollerBehaviorSchema, TunerSettingsSchema, refineWorkerScaling } from './worker-scaling';

function isBatonTool(value: unknown): value is BatonTool {
  return typeof value === 'object' && value !== null && 'spec' in value && typeof (value as BatonTool).execute === 'function';
}

export const TemporalSettingsSchema = z
  .object({
    /** host:port of the frontend; the TEMPORAL_ADDRESS environment variable overrides it. */
    address: z.string().min(1).optional(),
    namespace: z.string().min(1).optional(),
    /** The default task queue for runs and workers. */
    taskQueue: z.string().min(1).default('baton'),
    /** Base URL of the Web UI, for the links Baton prints. */
    uiUrl: z.string().url().optional(),
    /**
     * Bytes a run's input or a session message may weigh as sent (default 1.5 MiB); the client
     * refuses bigger ones before starting anything. Keep it under the server's limit.blobSize.error (2 MiB).
     */
    maxInputBytes: z.number().int().positive().optional(),
  })
  .strict();

export const WorkerSettingsSchema = z
  .object({
    maxConcurrentActivityTaskExecutions: z.number().int().positive().optional(),
    maxConcurrentWorkflowTaskExecutions: z.number().int().positive().optional(),
    /** Threads that run workflow code (the SDK's default is 1); more helps many concurrent runs on several cores. */
    workflowThreadPoolSize: z.number().int().positive().optional(),
    /** How long in-flight activities get to finish on shutdown before they are cancelled. */
    shutdownGraceTime: DurationSchema.default('10s'),
    /**
     * How long a run's next workflow task waits on this worker's sticky queue before any worker
     * may take it (the SDK's default is 10s): what a run cached on a dead worker waits.
     */
    stickyQueueScheduleToStartTimeout: DurationSchema.optional(),
    /** Bytes an activity result may weigh (default 1.5 MiB); keep it under the server's limit.blobSize.error (2 MiB). */
    maxPayloadBytes: z.number().int().positive().optional(),
    /** Tool results over this many bytes go to the content store, the model gets a preview (default 256 KiB). */
    storeToolResultsOver: z.number().int().positive().optional(),
    /** Serve Prometheus metrics (the SDK's and Baton's) at `host:port/metrics`, or a port on 127.0.0.1; `--metrics` wins. Off by default. */
    metrics: MetricsAddressSchema.optional(),
    /** Per-provider circuit breaker of each worker: `failures` in a row (default 5) open it, it probes again after `coolDown` (default 30s). */
    circuitBreaker: CircuitBreakerSettingsSchema.optional(),
    /** Serve `/healthz` and `/readyz` at `host:port`, or a port on 127.0.0.1; `--health` wins. Off by default. */
    health: MetricsAddressSchema.optional(),
    /** The SDK's resource-based tuner (`targetCpuUsage`, `targetMemoryUsage`, slot bounds) instead of fixed slot counts. */
    tuner: TunerSettingsSchema.optional(),
    /** `{ type: 'autoscaling' }` scales workflow-task long polls on the server's feedback; default: at most 10. */
    workflowTaskPollerBehavior: PollerBehaviorSchema.optional(),
    /** `{ type: 'autoscaling' }` scales activity-task long polls on the server's feedback; default: at most 10. */
    activityTaskPollerBehavior: PollerBehaviorSchema.optional(),
    /** Worker Versioning: `{ name, buildId }` (buildId from BATON_BUILD_ID when left out); off by default. */
    deployment: DeploymentSettingsSchema.optional(),
  })
  .strict()
  .superRefine(refineWorkerScaling);

/** How long `baton store prune` keeps a store's entries when the store sets no `retention`. */
export const defaultStoreRetention = '30d';

/**
 * A store: the embedded folder, or a shared PostgreSQL database (URL from the environment).
 * `retention`: entries older than this are removed by `baton store prune`.
 */
const StoreSchema = <Extra extends z.ZodRawShape>(dir: string, extra: Extra) =>
  z.union([
    z.object({ type: z.literal('file').default('file'), dir: z.string().min(1).default(dir), retention: DurationSchema.optional(), ...extra }).strict(),
    z.object({ type: z.literal('postgres'), urlEnv: z.string().min(1).default('BATON_DATABASE_URL'), retention: DurationSchema.optional(), ...extra }).strict(),
  ]);
export type StoreSettings = z.output<ReturnType<typeof StoreSchema<Record<never, never>>>>;

/** Content-store only: agent runs switch to a stored conversation past this many characters of JSON (false: never). */
const contentStoreExtra = { storeConversationOver: z.union([z.number().int().nonnegative(), z.literal(false)]).optional() };

/** A configured agent: a spec without its name, plus the worker `pool` that runs its activities. */
const AgentEntrySchema = AgentSpecSchema.omit({ name: true }).extend({ pool: z.string().min(1).optional() });

export const BatonConfigSchema = z
  .object({
    temporal: TemporalSettingsSchema.default({ taskQueue: 'baton' }),
    providers: z.record(notReserved(z.string().min(1)), ProviderConfigSchema),
    agents: z.record(notReserved(z.string().regex(agentNamePattern, 'agent names are letters, digits, "_" or "-", starting with a letter')), AgentEntrySchema),
    tools: z.array(z.custom<BatonTool>(isBatonTool, 'expected a tool made with defineTool()')).default([]),
    /** MCP servers whose tools agents may use, as `<server>__<tool>` or through `mcpServers`. */
    mcpServers: McpServersSchema.default({}),
    worker: WorkerSettingsSchema.default({ shutdownGraceTime: '10s' }),
    /** Named worker pools: a task queue each, with limits; agents name one with `pool`, `baton worker --pool` serves one. */
    pools: PoolsSchema.default({}),
    /** Where cached tool results live: a folder (default), or PostgreSQL for many machines. */
    toolCache: StoreSchema('.baton/cache', {}).default({ type: 'file', dir: '.baton/cache' }),
    /** Where conversations passed by reference live: a folder (default), or PostgreSQL. */
    contentStore: StoreSchema('.baton/content', contentStoreExtra).default({ type: 'file', dir: '.baton/content' }),
    /** Payload encryption (AES-256-GCM, keys from BATON_ENCRYPTION_KEYS): `true` or `{ keysEnv, codecServer }`; off by default. */
    encryption: EncryptionSettingsSchema.default(false),
    /** `baton audit export`: redaction rules applied to every record (built-in rules on by default). */
    audit: AuditSettingsSchema.default(defaultAuditSettings),
    /** OpenTelemetry tracing (`telemetry.tracing`); the OTEL_* environment turns it on too. Off by default. */
    telemetry: TelemetrySettingsSchema.default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const toolNames = new Set<string>();
    config.tools.forEach((tool, i) => {
      if (toolNames.has(tool.spec.name)) ctx.addIssue({ code: 'custom', path: ['tools', i], message: `tool "${tool.spec.name}" is defined twice` });
      toolNames.add(tool.spec.name);
    });
    for (const [name, agent] of Object.entries(config.agents)) {
      if (!Object.hasOwn(config.providers, agent.provider)) {
        ctx.addIssue({ code: 'custom', path: ['agents', name, 'provider'], message: `unknown provider "${agent.provider}"; configured providers: ${Object.keys(config.providers).join(', ') || 'none'}` });
      }
      agent.fallbacks?.forEach((fallback, i) => {
        if (!Object.hasOwn(config.providers, fallback.provider)) {
          ctx.addIssue({ code: 'custom', path: ['agents', name, 'fallbacks', i, 'provider'], message: `unknown provider "${fallback.provider}"; configured providers: ${Object.keys(config.providers).join(', ') || 'none'}` });
        }
      });
      for (const field of ['handoffs', 'agentTools'] as const) {
        agent[field].forEach((target, i) => {
          if (!Object.hasOwn(config.agents, target)) {
            ctx.addIssue({ code: 'custom', path: ['agents', name, field, i], message: `unknown agent "${target}"; configured agents: ${Object.keys(config.agents).join(', ')}` });
          }
        });
      }
      if (agent.pool !== undefined) {
        const pool = resolvePool(config, agent.pool);
        if (!pool) ctx.addIssue({ code: 'custom', path: ['agents', name, 'pool'], message: `unknown pool "${agent.pool}"; configured pools: default${Object.keys(config.pools).filter((p) => p !== 'default').map((p) => `, ${p}`).join('')}` });
        else if (agent.taskQueue !== undefined && agent.taskQueue !== pool.taskQueue) ctx.addIssue({ code: 'custom', path: ['agents', name, 'taskQueue'], message: `set either pool or taskQueue: pool "${agent.pool}" runs on task queue "${pool.taskQueue}", not "${agent.taskQueue}"` });
      }
      const servers = Object.keys(config.mcpServers);
      agent.tools.forEach((tool, i) => {
        if (!toolNames.has(tool) && !mcpServerOf(tool, servers)) {
          ctx.addIssue({ code: 'custom', path: ['agents', name, 'tools', i], message: `unknown tool "${tool}"; defined tools: ${[...toolNames].join(', ') || 'none'}${servers.length ? `, or <server>__<tool> for MCP servers ${servers.join(', ')}` : ''}` });
        }
      });
      agent.mcpServers.forEach((server, i) => {
        if (!servers.includes(server)) {
          ctx.addIssue({ code: 'custom', path: ['agents', name, 'mcpServers', i], message: `unknown MCP server "${server}"; configured MCP servers: ${servers.join(', ') || 'none'}` });
        }
      });
    }
  });

/** What a config file exports (defaults may be left out). */
export type BatonConfigInput = z.input<typeof BatonConfigSchema>;
/** A validated config, defaults filled in. */
export type BatonConfig = z.output<typeof BatonConfigSchema>;
