/**
 * Temporal's codec server protocol over node:http, so the Web UI (and `temporal --codec-endpoint`)
 * show decrypted payloads: `POST <prefix>/encode` and `POST <prefix>/decode` with
 * `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }`, CORS for the Web UI's origins,
 * and an optional bearer token. Keys never leave this process; the browser sees plaintext only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';

/** What the codec server encodes and decodes with, and whom it answers. */
export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call it (the Web UI's, e.g. http://localhost:8233). */
  uiOrigins: string[];
  /** When set, every POST must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest request body accepted (default 8 MiB). */
  maxBodyBytes?: number;
  /** Applied after decoding, for display (e.g. `storedContentResolver`: content-store references resolved). */
  afterDecode?: (payloads: Payload[]) => Promise<Payload[]>;
}

/** A running codec server. */
export interface RunningCodecServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpError(413, `request body over ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parsePayloads(body: string): Payload[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'the body is not JSON: expected {"payloads":[{"metadata":{...},"data":"<base64>"}]}');
  }
  const payloads = (parsed as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(payloads)) throw new HttpError(400, 'expected {"payloads":[...]} (Temporal\'s codec server request)');
  return payloads.map((p) => fromJson(p as JsonPayload));
}

/** The request handler; exported so an application can mount it in its own server. */
export function codecRequestHandler(options: CodecServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const maxBody = options.maxBodyBytes ?? 8 * 1024 * 1024;
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin && options.uiOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      // The browser's preflight carries no credentials: answer it without the token check.
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204).end();
      return;
    }
    const path = (req.url ?? '').split('?')[0] ?? '';
    const operation = path.endsWith('/encode') ? 'encode' : path.endsWith('/decode') ? 'decode' : undefined;
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => res.writeHead(status, { 'Content-Type': type }).end(body);
    if (!operation) return void reply(404, 'not found: POST /encode or /decode');
    if (req.method !== 'POST') return void reply(405, 'use POST');
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return void reply(401, 'missing or wrong bearer token (Authorization: Bearer <token>)');
    }
    readBody(req, maxBody)
      .then((body) => parsePayloads(body))
      .then((payloads) => (operation === 'encode' ? options.codec.encode(payloads) : options.codec.decode(payloads).then((decoded) => options.afterDecode?.(decoded) ?? decoded)))
      .then((payloads) => reply(200, JSON.stringify({ payloads: payloads.map(toJson) }), 'application/json'))
      .catch((err: unknown) => reply(err instanceof HttpError ? err.status : 400, err instanceof Error ? err.message : String(err)));
  };
}

/** Starts the codec server on `host:port` (port 0 picks a free one). */
export async function startCodecServer(options: CodecServerOptions & { host?: string; port: number }): Promise<RunningCodecServer> {
  const server = createServer(codecRequestHandler(options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
