/**
 * A worker's probe endpoints for Kubernetes (node:http): `/healthz` says the process is alive
 * and its worker runs (or drains), `/readyz` that it is connected to Temporal, every configured
 * MCP server is connected and every provider is configured. Both answer 200 or 503 with a
 * short JSON body saying what is wrong.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { NativeConnection, State } from '@temporalio/worker';
import type { McpPool } from '../activities/tools/mcp';

/** What the probes look at. */
export interface HealthSources {
  workerState: () => State;
  connection: Pick<NativeConnection, 'withDeadline' | 'workflowService'>;
  mcp?: Pick<McpPool, 'health'>;
  /** The providers this worker built (a provider it cannot build stops the worker at start). */
  providers: string[];
  /** How long `/readyz` waits for Temporal (default 2 s). */
  temporalTimeoutMs?: number;
}

/** A running probe server. */
export interface HealthServer {
  /** `host:port` it listens on. */
  address: string;
  close(): Promise<void>;
}

/** Answers for a probe: status code and JSON body. */
export interface ProbeAnswer {
  status: 200 | 503;
  body: Record<string, unknown>;
}

/** The bind address of a `--health` value: `8080` → `127.0.0.1:8080`; `0.0.0.0:8080` as given. */
export function healthBindAddress(value: string | number): { host: string; port: number } {
  const text = String(value).trim();
  const match = /^(?:(\[[^\]]+\]|[^:\s]+):)?(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || !(port >= 0 && port <= 65535)) throw new Error(`--health: expected host:port (e.g. 0.0.0.0:8080) or a port, got "${text}"`);
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}

const draining: ReadonlySet<State> = new Set(['STOPPING', 'DRAINING', 'DRAINED']);

/**
 * `/healthz`: 200 while the worker runs or drains after SIGTERM (a failing liveness probe would
 * have the kubelet kill the drain), 503 before it runs and once it stopped or failed.
 */
export function liveness(sources: HealthSources): ProbeAnswer {
  const state = sources.workerState();
  if (state === 'RUNNING') return { status: 200, body: { status: 'ok', worker: state } };
  if (draining.has(state)) return { status: 200, body: { status: 'draining', worker: state } };
  return { status: 503, body: { status: 'unhealthy', worker: state, problems: [`worker is ${state}`] } };
}

/** `/readyz`: 200 when the worker runs, Temporal answers and every MCP server is connected. */
export async function readiness(sources: HealthSources): Promise<ProbeAnswer> {
  const problems: string[] = [];
  const state = sources.workerState();
  if (state !== 'RUNNING') problems.push(draining.has(state) ? `worker is draining (${state})` : `worker is ${state}`);
  let temporal = 'connected';
  try {
    const deadline = Date.now() + (sources.temporalTimeoutMs ?? 2000);
    await sources.connection.withDeadline(deadline, () => sources.connection.workflowService.getSystemInfo({}));
  } catch (err) {
    temporal = 'unreachable';
    problems.push(`Temporal unreachable: ${err instanceof Error ? err.message : String(err)}`);
  }
  const mcpServers: Record<string, string> = {};
  for (const server of sources.mcp?.health() ?? []) {
    mcpServers[server.server] = server.connected ? 'connected' : `down: ${server.error ?? 'not connected'}`;
    if (!server.connected) problems.push(`MCP server "${server.server}" is down: ${server.error ?? 'not connected'}`);
  }
  const body = { status: problems.length ? 'not ready' : 'ready', worker: state, temporal, mcpServers, providers: sources.providers, ...(problems.length ? { problems } : {}) };
  return { status: problems.length ? 503 : 200, body };
}

function send(res: ServerResponse, answer: ProbeAnswer): void {
  res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(`${JSON.stringify(answer.body)}\n`);
}

/** Serves `/healthz` and `/readyz` on `bind` (`host:port` or a port on 127.0.0.1). */
export async function startHealthServer(bind: string | number, sources: HealthSources): Promise<HealthServer> {
  const { host, port } = healthBindAddress(bind);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    if (path === '/healthz') return send(res, liveness(sources));
    if (path === '/readyz') {
      readiness(sources).then((answer) => send(res, answer), (err: unknown) => send(res, { status: 503, body: { status: 'not ready', problems: [String(err)] } }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"status":"not found","paths":["/healthz","/readyz"]}\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const address = typeof bound === 'object' && bound ? `${host.includes(':') ? `[${host}]` : host}:${bound.port}` : `${host}:${port}`;
  return { address, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}
