/**
 * A local HTTP server that answers with canned responses, in order, for provider tests:
 * the real SDK clients talk to it over loopback. It records every request, injects faults
 * (error statuses with retry-after, delays, hung or dropped connections) and notices when a
 * client closes a connection it never answered (an aborted call).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** One answer the server gives, in the order pushed. */
export interface CannedResponse {
  /** HTTP status (default 200); build error bodies with `openaiError` / `anthropicError`. */
  status?: number;
  body?: unknown;
  /** Extra response headers, e.g. `{ 'retry-after': '2' }`. */
  headers?: Record<string, string>;
  /** Waits this long before answering (a slow provider); a client that gives up first counts as aborted. */
  delayMs?: number;
  /** Never answer; the client must abort. */
  hang?: boolean;
  /** Closes the connection without an HTTP answer (a network failure). */
  dropConnection?: boolean;
  /** Answers with server-sent events instead of `body` (build them with `openaiTextStream` / `anthropicTextStream`). */
  sse?: SseScript;
}

/** A streamed answer: SSE blocks written one every `intervalMs` (a fixed token rate). */
export interface SseScript {
  /** Each a whole SSE block, e.g. `data: {...}\n\n`. */
  events: string[];
  intervalMs: number;
  /** Closes the connection after this many events (a provider dying mid-stream). */
  dropAfter?: number;
  /** Called as each event is written, with `Date.now()` (e.g. to time the first token). */
  onEvent?: (index: number, at: number) => void;
}

/** Writes an SSE script; stops when the client goes away. */
function writeSse(res: ServerResponse, script: SseScript): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    if (script.dropAfter !== undefined && index >= script.dropAfter) return void res.socket?.destroy();
    if (index >= script.events.length) return void res.end();
    res.write(script.events[index]);
    script.onEvent?.(index, Date.now());
    index++;
    timer = setTimeout(next, script.intervalMs);
  };
  res.on('close', () => clearTimeout(timer));
  next();
}

/** A request the server received, for asserting what a client sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** `Date.now()` when the request body had arrived. */
  at: number;
}

/** A running wire fake; `baseURL` goes to the SDK client (or a Baton provider's `baseURL`). */
export interface WireServer {
  baseURL: string;
  requests: RecordedRequest[];
  /** Connections closed by the client while a hanging or delayed response was pending. */
  readonly abortedRequests: number;
  /** Queues responses; a request with nothing queued gets a 500 that says so. */
  push(...responses: CannedResponse[]): void;
  /** Responses pushed but not yet served (a test can assert it used them all). */
  readonly pending: number;
  close(): Promise<void>;
}

/** Starts a wire fake on a free loopback port; `pathPrefix` is appended to `baseURL` (e.g. `/v1`). */
export async function startWireServer(pathPrefix = ''): Promise<WireServer> {
  const queue: CannedResponse[] = [];
  const requests: RecordedRequest[] = [];
  let aborted = 0;
  const answer = (res: ServerResponse, next: CannedResponse) => {
    if (next.dropConnection) return void res.socket?.destroy();
    if (next.sse) return writeSse(res, next.sse);
    res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers });
    res.end(JSON.stringify(next.body ?? {}));
  };
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
      if (!next.delayMs) return answer(res, next);
      let answered = false;
      const timer = setTimeout(() => ((answered = true), answer(res, next)), next.delayMs);
      res.on('close', () => {
        if (answered) return;
        clearTimeout(timer);
        aborted++;
      });
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
    get pending() {
      return queue.length;
    },
    push: (...responses) => void queue.push(...responses),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
