/**
 * MCP servers as tool sources. One connection per server per worker process, opened at
 * worker start and reused by every call. A connection that drops (a crashed stdio
 * server, a closed HTTP session) is forgotten, the call fails retryably, and the
 * activity's retry opens a new one. Tool-list changes announced by a server replace the
 * tools it offers from then on. Each tool is offered as `<server>__<tool>`. Expanded
 * `${NAME}` values are secrets: they are redacted from every error and log line.
 */
import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { ToolSpecSchema, durationToMs, toolNamePattern, type RiskLevel, type ToolSpec } from '../../core';
import { schemaProblems } from '../output-schema';
import { redactError, redactSecrets, registerSecret } from '../secret-redactor';
import { ToolError, type BatonTool, type ToolContext } from './define-tool';
import { expandEnv, mcpSeparator, type McpServerConfig } from './mcp-config';

/** What the worker prints about its MCP servers (start-up, reconnects, list changes). */
export type McpLog = (line: string) => void;

interface Connection {
  client: Client;
  /** The end of a stdio server's stderr, for error messages. */
  stderr: string;
  /** Namespaced name → the server's own tool and the spec workflows see, made once per list. */
  tools: Map<string, { tool: Tool; spec: ToolSpec }>;
  closed: boolean;
}

/** The `<server>__<tool>` name of a server's tool; long or odd names are shortened with a hash. */
export function namespacedToolName(server: string, tool: string): string {
  const cleaned = tool.replace(/[^a-zA-Z0-9_-]/g, '_');
  const name = `${server}${mcpSeparator}${cleaned}`;
  if (name === `${server}${mcpSeparator}${tool}` && toolNamePattern.test(name)) return name;
  const suffix = createHash('sha256').update(tool).digest('hex').slice(0, 8);
  return `${name.slice(0, 64 - 9)}_${suffix}`;
}

/**
 * Risk: the operator's per-tool override, else the server's configured risk. Annotations
 * come from the server and are untrusted hints: `destructiveHint` may raise the risk to
 * high, but nothing a server declares (`readOnlyHint`) lowers it below the configured level.
 */
function riskOf(tool: Tool, config: McpServerConfig): RiskLevel {
  const override = Object.hasOwn(config.tools, tool.name) ? config.tools[tool.name]?.risk : undefined;
  if (override) return override;
  if (tool.annotations?.destructiveHint === true) return 'high';
  return config.risk;
}

/** The ToolSpec a workflow sees for one MCP tool. */
export function mcpToolSpec(server: string, tool: Tool, config: McpServerConfig): ToolSpec {
  const { $schema: _dialect, ...inputSchema } = tool.inputSchema as Record<string, unknown>;
  const override = (Object.hasOwn(config.tools, tool.name) ? config.tools[tool.name] : undefined) ?? {};
  return ToolSpecSchema.parse({
    name: namespacedToolName(server, tool.name),
    description: tool.description || tool.annotations?.title || tool.title || tool.name,
    inputSchema,
    risk: riskOf(tool, config),
    startToCloseTimeout: config.timeout,
    retry: config.retry,
    ...(override.onError ? { onError: override.onError } : {}),
    ...(override.cache ? { cache: override.cache } : {}),
    source: `mcp:${server}`,
  });
}

/** MCP content as the text a model reads: text parts as they are, others described. */
export function mcpResultText(result: CallToolResult): string {
  if (result.structuredContent !== undefined && !result.isError) return JSON.stringify(result.structuredContent);
  return result.content
    .map((part) => {
      switch (part.type) {
        case 'text': return part.text;
        case 'image': case 'audio': return `[${part.type} ${part.mimeType}, ${Math.round((part.data.length * 3) / 4)} bytes]`;
        case 'resource': return 'text' in part.resource ? part.resource.text : `[resource ${part.resource.uri}]`;
        case 'resource_link': return `[resource ${part.uri}${part.name ? ` (${part.name})` : ''}]`;
        default: return '';
      }
    })
    .filter(Boolean)
    .join('\n');
}

function stderrTail(connection: Connection): string {
  const lines = connection.stderr.trim().split('\n').filter(Boolean).slice(-3);
  return lines.length ? ` [server stderr: ${lines.join(' / ').slice(-500)}]` : '';
}

/** Errors that mean the server answered: the model can act on them, and a retry would not help. */
function isAnswerFromServer(err: unknown): err is McpError {
  return err instanceof McpError && (err.code === ErrorCode.InvalidParams || err.code === ErrorCode.MethodNotFound || err.code === ErrorCode.InvalidRequest);
}

export class McpPool {
  private readonly connections = new Map<string, { pending: Promise<Connection>; connection?: Connection }>();
  private closing = false;
  /** Connections opened so far, per server (a reconnect counts again). */
  readonly connects = new Map<string, number>();
  /** Why the last connection attempt to a server failed, until one succeeds. */
  private readonly failures = new Map<string, string>();

  constructor(
    readonly servers: Readonly<Record<string, McpServerConfig>>,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly log: McpLog = () => {},
  ) {}

  /** Connects to every server; one that is down is reported and does not stop the others. */
  async start(): Promise<Array<{ server: string; tools?: number; error?: string }>> {
    return Promise.all(
      Object.keys(this.servers).map(async (server) => {
        try {
          const connection = await this.connection(server);
          this.log(`  mcp ${server}: ${connection.tools.size} tools`);
          return { server, tools: connection.tools.size };
        } catch (err) {
          const error = redactSecrets(err instanceof Error ? err.message : String(err));
          this.log(`  mcp ${server}: unavailable (${error}); its tools fail until it is back (each call retries the connection)`);
          return { server, error };
        }
      }),
    );
  }

  /**
   * Each server's connection now, for readiness probes: connected, or why not. A server that is
   * down is reconnected in the background (the answer does not wait for it).
   */
  health(): Array<{ server: string; connected: boolean; error?: string }> {
    return Object.keys(this.servers).map((server) => {
      const entry = this.connections.get(server);
      if (entry?.connection && !entry.connection.closed) return { server, connected: true };
      if (!entry && !this.closing) void this.connection(server).catch(() => {});
      return { server, connected: false, error: this.failures.get(server) ?? (entry ? 'connecting' : 'not connected') };
    });
  }

  /** The specs of a server's tools, connecting first if needed. */
  async toolSpecs(server: string): Promise<ToolSpec[]> {
    const connection = await this.connection(server);
    return [...connection.tools.values()].map((entry) => entry.spec);
  }

  /** A namespaced MCP tool as a BatonTool for the tool activity, or undefined if the server has no such tool. */
  async tool(server: string, name: string): Promise<BatonTool | undefined> {
    const connection = await this.connection(server);
    const entry = connection.tools.get(name);
    if (!entry) return undefined;
    const { tool, spec } = entry;
    return {
      spec,
      parseArguments: (args) => {
        if (typeof args === 'string') return { ok: false, error: `arguments were not valid JSON: ${args.slice(0, 200)}` };
        const value = args ?? {};
        const problems = schemaProblems(value, spec.inputSchema);
        return problems === undefined ? { ok: true, value } : { ok: false, error: problems };
      },
      execute: (args, context) => this.call(server, tool.name, args as Record<string, unknown>, context),
    };
  }

  /** Calls a tool; a dropped connection is forgotten so the activity's retry reconnects. */
  async call(server: string, tool: string, args: Record<string, unknown>, context: Pick<ToolContext, 'signal' | 'heartbeat'>): Promise<string> {
    const config = this.configOf(server);
    const connection = await this.connection(server);
    let result: CallToolResult;
    try {
      result = (await connection.client.callTool({ name: tool, arguments: args }, undefined, {
        signal: context.signal,
        timeout: durationToMs(config.timeout),
        resetTimeoutOnProgress: true,
        onprogress: (progress) => context.heartbeat(progress),
      })) as CallToolResult;
    } catch (err) {
      if (isAnswerFromServer(err)) throw new ToolError(redactSecrets(`${server}: ${err.message}`));
      if (!context.signal.aborted) this.forget(server, connection, `call to ${tool} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw redactError(err);
    }
    const text = mcpResultText(result);
    if (result.isError) throw new ToolError(redactSecrets(text || `${tool} reported an error`));
    return text;
  }

  /** Closes every connection (stdio servers are stopped). */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.connections.values()].map((entry) => entry.pending);
    this.connections.clear();
    await Promise.all(all.map(async (pending) => {
      try {
        const connection = await pending;
        connection.closed = true;
        await connection.client.close();
      } catch {
        // never connected: nothing to close
      }
    }));
  }

  private configOf(server: string): McpServerConfig {
    const config = Object.hasOwn(this.servers, server) ? this.servers[server] : undefined;
    if (!config) throw new ToolError(`no MCP server named "${server}" is configured on this worker`);
    return config;
  }

  private forget(server: string, connection: Connection, why: string): void {
    if (connection.closed) return;
    connection.closed = true;
    if (this.connections.get(server)?.connection === connection) this.connections.delete(server);
    if (!this.closing) this.log(redactSecrets(`mcp ${server}: connection lost (${why})${stderrTail(connection)}; the next call reconnects`));
    void connection.client.close().catch(() => {});
  }

  private connection(server: string): Promise<Connection> {
    if (this.closing) return Promise.reject(new Error('the MCP pool is closed'));
    const existing = this.connections.get(server);
    if (existing) return existing.pending;
    const entry: { pending: Promise<Connection>; connection?: Connection } = { pending: this.open(server) };
    this.connections.set(server, entry);
    entry.pending.then(
      (connection) => {
        entry.connection = connection;
        this.failures.delete(server);
        if (connection.closed && this.connections.get(server) === entry) this.connections.delete(server);
      },
      (err: unknown) => {
        this.failures.set(server, redactSecrets(err instanceof Error ? err.message : String(err)));
        if (this.connections.get(server) === entry) this.connections.delete(server);
      },
    );
    return entry.pending;
  }

  private transportFor(server: string, config: McpServerConfig): Transport {
    const where = `MCP server "${server}"`;
    if (config.command !== undefined) {
      const env = Object.fromEntries(Object.entries(config.env).map(([k, v]) => [k, expandEnv(v, this.env, where, registerSecret)]));
      return new StdioClientTransport({ command: config.command, args: config.args, env: { ...getDefaultEnvironment(), ...env }, cwd: config.cwd, stderr: 'pipe' });
    }
    const headers = Object.fromEntries(Object.entries(config.headers).map(([k, v]) => [k, expandEnv(v, this.env, where, registerSecret)]));
    return new StreamableHTTPClientTransport(new URL(config.url as string), { requestInit: { headers } });
  }

  private async open(server: string): Promise<Connection> {
    const config = this.configOf(server);
    const connection: Connection = { client: undefined as unknown as Client, stderr: '', tools: new Map(), closed: false };
    const setTools = (tools: Tool[]) => {
      connection.tools = new Map(tools.map((t) => [namespacedToolName(server, t.name), { tool: t, spec: mcpToolSpec(server, t, config) }]));
    };
    connection.client = new Client(
      { name: 'baton', version: '0.1.0' },
      {
        capabilities: {},
        listChanged: {
          tools: {
            debounceMs: 50,
            onChanged: (error, tools) => {
              if (error || !tools) return;
              setTools(tools);
              this.log(`mcp ${server}: tool list changed (${tools.length} tools)`);
            },
          },
        },
      },
    );
    const transport = this.transportFor(server, config);
    if (transport instanceof StdioClientTransport) {
      transport.stderr?.on('data', (chunk: Buffer) => (connection.stderr = (connection.stderr + chunk.toString()).slice(-2000)));
    }
    this.connects.set(server, (this.connects.get(server) ?? 0) + 1);
    connection.client.onclose = () => this.forget(server, connection, 'closed by the server');
    const timeout = durationToMs(config.connectTimeout);
    try {
      await connection.client.connect(transport, { timeout });
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await connection.client.listTools(cursor ? { cursor } : undefined, { timeout });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      setTools(tools);
    } catch (err) {
      connection.closed = true;
      await connection.client.close().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 50)); // let the last stderr arrive
      throw new Error(redactSecrets(`cannot connect to MCP server "${server}" (${config.command ?? config.url}): ${err instanceof Error ? err.message : String(err)}${stderrTail(connection)}`));
    }
    return connection;
  }
}
