/**
 * The MCP sessions of the HTTP server. A session ends on the client's DELETE, or once it has
 * been idle for `idleMs`: no request in flight and no stream open (an SDK client's standing
 * GET stream keeps its session alive; the SDK's keep-alive frames close that stream when the
 * client is gone). Ending a session closes its transport and McpServer, which stops its
 * resource subscriptions, and forgets it, so a request naming it gets 404.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/** How long a session may sit idle before it is closed, unless `baton mcp --session-idle` says otherwise. */
export const defaultSessionIdleMs = 30 * 60_000;

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  /** Requests whose response is still open (a tool call in flight, an SSE stream). */
  open: number;
  idleTimer?: NodeJS.Timeout;
}

/** The live sessions by id, each closed after `idleMs` without traffic. */
export class McpHttpSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly idleMs: number) {}

  /** How many sessions are live. */
  get size(): number {
    return this.sessions.size;
  }

  /** Serves a request of an existing session; false when no session has that id. */
  async serve(id: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.track(session, res);
    await session.transport.handleRequest(req, res);
    return true;
  }

  /** Serves a request without a session id: an initialize request starts a session, anything else the transport refuses. */
  async start(createServer: () => McpServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void this.sessions.set(id, session),
      onsessionclosed: (id) => this.forget(id),
    });
    const server = createServer();
    const session: Session = { transport, server, open: 0 };
    // Set before connect: the McpServer chains its own close handling after this one.
    transport.onclose = () => {
      if (transport.sessionId) this.forget(transport.sessionId);
    };
    await server.connect(transport);
    this.track(session, res);
    await transport.handleRequest(req, res);
    if (!transport.sessionId) await server.close();
  }

  /** Ends every session (server shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.server.close().catch(() => undefined)));
  }

  /** Counts the response as traffic until it closes; the idle clock starts when the last one does. */
  private track(session: Session, res: ServerResponse): void {
    session.open++;
    clearTimeout(session.idleTimer);
    res.once('close', () => {
      session.open--;
      const id = session.transport.sessionId;
      if (session.open > 0 || id === undefined || this.sessions.get(id) !== session) return;
      session.idleTimer = setTimeout(() => void session.server.close().catch(() => undefined), this.idleMs);
      session.idleTimer.unref();
    });
  }

  private forget(id: string): void {
    clearTimeout(this.sessions.get(id)?.idleTimer);
    this.sessions.delete(id);
  }
}
