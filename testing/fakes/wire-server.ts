/**
 * A local HTTP server that answers with canned responses, in order, for provider tests:
 * the real SDK clients talk to it over loopback. It records every request and notices
 * when a client closes a connection it never answered (an aborted call).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface CannedResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer; the client must abort. */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  at: number;
}

export interface WireServer {
  baseURL: string;
  requests: RecordedRequest[];
  /** Connections closed by the client while a hanging response was pending. */
  readonly abortedRequests: number;
  push(...responses: CannedResponse[]): void;
  close(): Promise<void>;
}

export async function startWireServer(pathPrefix = ''): Promise<WireServer> {
  const queue: CannedResponse[] = [];
  const requests: RecordedRequest[] = [];
  let aborted = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : {}, at: Date.now() });
      const next = queue.shift();
      if (!next) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'wire server: no canned response left' } }));
        return;
      }
      if (next.hang) {
        res.on('close', () => aborted++);
        return;
      }
      res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers });
      res.end(JSON.stringify(next.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseURL: `http://127.0.0.1:${port}${pathPrefix}`,
    requests,
    get abortedRequests() {
      return aborted;
    },
    push: (...responses) => void queue.push(...responses),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
