/**
 * How the config names an MCP server: a command to start (stdio) or a URL (Streamable
 * HTTP). Secrets are written as `${NAME}` and read from the worker's environment when
 * it connects, so they never enter a config snapshot, a workflow payload or history.
 */
import { z } from 'zod';
import { DurationSchema, RiskLevelSchema, ToolRetrySchema } from '../../core';

/** Server names become tool-name prefixes (`<server>__<tool>`), so no `_` runs. */
export const mcpServerNamePattern = /^[a-zA-Z][a-zA-Z0-9-]{0,30}$/;
export const mcpSeparator = '__';

const ToolOverrideSchema = z
  .object({
    risk: RiskLevelSchema.optional(),
    cache: z.object({ ttl: DurationSchema, key: z.array(z.string()).min(1).optional() }).strict().optional(),
    onError: z.enum(['report', 'fail']).optional(),
  })
  .strict();

export const McpServerConfigSchema = z
  .object({
    /** stdio: the program to start, its arguments, extra environment and working folder. */
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    /** Only these variables (plus PATH, HOME and the like) reach the server process. */
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
    /** Streamable HTTP: the endpoint and extra request headers. */
    url: z.string().url().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** Risk of this server's tools, unless a tool's annotations or `tools` say otherwise. */
    risk: RiskLevelSchema.default('medium'),
    /** Per tool (by the server's own name): risk, cache policy, error policy. */
    tools: z.record(z.string(), ToolOverrideSchema).default({}),
    /** Timeout of one call, and its retries (a dropped connection is reconnected on retry). */
    timeout: DurationSchema.default('60s'),
    retry: ToolRetrySchema.default(ToolRetrySchema.parse({})),
    /** How long connecting (and listing tools) may take before the server counts as down. */
    connectTimeout: DurationSchema.default('10s'),
  })
  .strict()
  .superRefine((server, ctx) => {
    if ((server.command === undefined) === (server.url === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'expected exactly one of "command" (stdio) or "url" (Streamable HTTP)' });
    }
    if (server.url !== undefined && !/^https?:\/\//.test(server.url)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'expected an http:// or https:// URL' });
    }
  });

export type McpServerConfig = z.output<typeof McpServerConfigSchema>;
export type McpServerConfigInput = z.input<typeof McpServerConfigSchema>;

export const McpServersSchema = z.record(
  z.string().regex(mcpServerNamePattern, 'MCP server names are letters, digits and "-", starting with a letter (at most 31)'),
  McpServerConfigSchema,
);

/** The server part of a namespaced tool name, when it names one of `servers`. */
export function mcpServerOf(toolName: string, servers: Iterable<string>): string | undefined {
  const at = toolName.indexOf(mcpSeparator);
  if (at <= 0) return undefined;
  const server = toolName.slice(0, at);
  return [...servers].includes(server) ? server : undefined;
}

/**
 * Replaces `${NAME}` with the environment's value; a missing variable is an error naming it.
 * `onExpanded` sees each value put in (the MCP pool registers them as secrets to redact).
 */
export function expandEnv(value: string, env: NodeJS.ProcessEnv, where: string, onExpanded?: (name: string, value: string) => void): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const found = Object.hasOwn(env, name) ? env[name] : undefined;
    if (found === undefined) throw new Error(`${where} needs the environment variable ${name}, which is not set`);
    onExpanded?.(name, found);
    return found;
  });
}
