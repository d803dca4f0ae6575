/** `baton mcp [--http <host:port>] [--print-config <client>]`: Baton's MCP server for IDEs and coding agents. */
import path from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { findConfigPath } from '../../config/load-config';
import { DurationSchema, durationToMs } from '../../core/durations';
import { configFor, UsageError, type GlobalFlags } from '../cli/context';
import { McpContext } from './context';
import { createBatonMcpServer } from './server';
import { isLoopback, startMcpHttpServer } from './http-server';
import { clientConfig, mcpClients, stdioLaunch, type McpClientName } from './print-config';

/** The flags of `baton mcp`. */
export interface McpFlags {
  http?: string;
  printConfig?: string;
  /** With --http: how long an idle session lives (a duration such as 30m). */
  sessionIdle?: string;
}

/** The environment variable holding the HTTP bearer token. */
export const mcpTokenEnv = 'BATON_MCP_TOKEN';

/** `--http` value: `host:port`, `[v6]:port`, or a port alone (then 127.0.0.1). */
export function parseListen(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535) throw new UsageError(`--http takes host:port or a port, not "${value}"`);
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

/** `--session-idle`: a duration such as 90s or 30m. */
export function parseSessionIdle(value: string): number {
  const duration = DurationSchema.safeParse(value);
  if (!duration.success) throw new UsageError(`--session-idle takes a duration such as 90s, 30m or 2h, not "${value}"`);
  return durationToMs(duration.data);
}

const untilSignal = () => new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});

/** Serves until the client disconnects (stdio) or a signal (HTTP); prints nothing on stdout in stdio mode. */
export async function mcpCommand(flags: McpFlags, globals: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const listen = flags.http === undefined ? undefined : parseListen(flags.http);
  const sessionIdleMs = flags.sessionIdle === undefined ? undefined : parseSessionIdle(flags.sessionIdle);
  const token = env[mcpTokenEnv] || undefined;
  if (listen && !isLoopback(listen.host) && !token) throw new UsageError(`--http ${flags.http} is reachable from other machines: set ${mcpTokenEnv} to the bearer token clients must send`);
  const configPath = findConfigPath(globals.config);
  if (flags.printConfig !== undefined) {
    if (!(mcpClients as readonly string[]).includes(flags.printConfig)) throw new UsageError(`--print-config takes one of ${mcpClients.join(', ')}, not "${flags.printConfig}"`);
    const launch = stdioLaunch(configPath, globals);
    const http = listen ? { url: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}/mcp`, token: Boolean(token) || !isLoopback(listen.host) } : undefined;
    const setup = clientConfig(flags.printConfig as McpClientName, { ...launch, http });
    // Only the command or the file's content goes to stdout, so it can be redirected into the file.
    if (setup.file) console.error(`put this in ${setup.file} (merge it with the servers already there):`);
    console.log(setup.text);
    return 0;
  }
  const config = await configFor(globals, false);
  const ctx = new McpContext(config, configPath ? path.dirname(path.resolve(configPath)) : process.cwd(), globals);
  try {
    if (listen) {
      const running = await startMcpHttpServer(ctx, { ...listen, token, sessionIdleMs });
      console.log(`baton MCP server on ${running.url} · ${token ? `requests need Authorization: Bearer $${mcpTokenEnv}` : `no token required (loopback only; set ${mcpTokenEnv} to require one)`}`);
      await untilSignal();
      await running.close();
    } else {
      // stdout carries the protocol: whatever a library logs goes to stderr instead.
      console.log = console.info = console.debug = (...args: unknown[]) => console.error(...args);
      const server = createBatonMcpServer(ctx);
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
      process.stdin.once('end', () => void server.close());
      await server.connect(transport);
      await Promise.race([closed, untilSignal()]);
      await server.close();
    }
  } finally {
    await ctx.close();
  }
  return 0;
}
