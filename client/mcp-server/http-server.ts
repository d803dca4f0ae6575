/**
 * MCP over Streamable HTTP at `http://<host>:<port>/mcp`. Each MCP session gets its own
 * McpServer and transport; all share the one McpContext. With a token, every request needs
 * `Authorization: Bearer <token>` (else 401). Bound to loopback, requests must also name a
 * loopback Host (and Origin, when sent), so a web page cannot reach the server through DNS
 * rebinding. Sessions end on DELETE or when idle (see http-sessions.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpContext } from './context';
import { createBatonMcpServer } from './server';
import { defaultSessionIdleMs, McpHttpSessions } from './http-sessions';

/** Where to listen, and the token every request must carry. */
export interface McpHttpOptions {
  host: string;
  port: number;
  /** Required of every request when set. */
  token?: string;
  /** A session with no request or stream open for this long is closed (default 30 minutes). */
  sessionIdleMs?: number;
}

/** A running HTTP server; `url` is the MCP endpoint. */
export interface RunningMcpHttp {
  url: string;
  close(): Promise<void>;
}

/** Whether an address is this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** The host part of a Host header or an Origin URL. */
function hostOf(value: string): string {
  const host = value.includes('://') ? (URL.canParse(value) ? new URL(value).hostname : '') : value.replace(/:\d+$/, '');
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** Starts serving; resolves once listening. */
export async function startMcpHttpServer(ctx: McpContext, options: McpHttpOptions): Promise<RunningMcpHttp> {
  const sessions = new McpHttpSessions(options.sessionIdleMs ?? defaultSessionIdleMs);
  const loopbackOnly = isLoopback(options.host);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp') return refuse(res, 404, 'not found: the MCP endpoint is /mcp');
    if (options.token !== undefined && !tokenMatches(req.headers.authorization, options.token)) {
      return refuse(res, 401, 'unauthorized: send Authorization: Bearer $BATON_MCP_TOKEN', { 'www-authenticate': 'Bearer realm="baton"' });
    }
    if (loopbackOnly && (!isLoopback(hostOf(req.headers.host ?? '')) || (req.headers.origin !== undefined && !isLoopback(hostOf(req.headers.origin))))) {
      return refuse(res, 403, 'forbidden: this server answers only requests addressed to localhost');
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      if (!(await sessions.serve(sessionId, req, res))) refuse(res, 404, 'no such MCP session (it ended or was idle too long); initialize a new one');
      return;
    }
    await sessions.start(() => createBatonMcpServer(ctx), req, res);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) refuse(res, 500, err instanceof Error ? err.message : String(err));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/mcp`,
    close: async () => {
      await sessions.closeAll();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
