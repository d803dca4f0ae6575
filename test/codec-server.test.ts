/**
 * The codec server over real HTTP, with the requests the Temporal Web UI sends: the CORS
 * preflight, `POST /decode` of payloads the workers encrypted, an encode/decode round trip,
 * a missing or wrong bearer token (401) and a payload whose key is not configured.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { startCodecServer, type RunningCodecServer } from '../codec/codec-server';
import { EncryptionCodec } from '../codec/encryption-codec';
import { parseKeys } from '../codec/keys';
import { storedContentResolver } from '../codec/stored-content';
import { FileContentStore } from '../activities';
import { ConversationStore } from '../activities/conversation-store';

const ui = 'http://localhost:8233';
const token = 'codec-token-5d2c';
const codec = new EncryptionCodec(parseKeys(`k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`));
let server: RunningCodecServer;

beforeAll(async () => (server = await startCodecServer({ codec, uiOrigins: [ui], token, port: 0 })));
afterAll(() => server?.close());

type JsonPayload = { metadata: Record<string, string>; data: string };
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const text = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** A request as the Web UI makes it (fetch with the namespace header and, when set, the token). */
function uiRequest(operation: 'encode' | 'decode', payloads: JsonPayload[], auth: string | undefined = `Bearer ${token}`) {
  return fetch(`${server.url}/${operation}`, {
    method: 'POST',
    headers: { Origin: ui, 'Content-Type': 'application/json', 'X-Namespace': 'default', ...(auth ? { Authorization: auth } : {}) },
    body: JSON.stringify({ payloads }),
  });
}

describe('codec server', () => {
  it('answers the Web UI\'s CORS preflight for its origin only', async () => {
    const preflight = (origin: string) => fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-namespace' },
    });
    const ok = await preflight(ui);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ui);
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/)).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-namespace']));
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('http://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('decodes what the workers encrypted, and round-trips encode then decode', async () => {
    const original = defaultPayloadConverter.toPayload({ prompt: 'the secret plan', n: 42 });
    const [encrypted] = await codec.encode([original]);
    const decoded = await uiRequest('decode', [toJson(encrypted as Payload)]);
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(ui);
    const body = (await decoded.json()) as { payloads: JsonPayload[] };
    expect(body.payloads).toEqual([toJson(original)]);
    expect(JSON.parse(text(body.payloads[0]?.data ?? ''))).toEqual({ prompt: 'the secret plan', n: 42 });

    const encoded = (await (await uiRequest('encode', [toJson(original)])).json()) as { payloads: JsonPayload[] };
    expect(text(encoded.payloads[0]?.metadata.encoding ?? '')).toBe('binary/encrypted');
    expect(text(encoded.payloads[0]?.metadata['encryption-key-id'] ?? '')).toBe('k2');
    expect(text(encoded.payloads[0]?.data ?? '')).not.toContain('secret plan');
    const back = (await (await uiRequest('decode', encoded.payloads)).json()) as { payloads: JsonPayload[] };
    expect(back.payloads).toEqual([toJson(original)]);

    // Payloads that were never encrypted (search attributes, an older run) pass through unchanged.
    const plain = (await (await uiRequest('decode', [toJson(original)])).json()) as { payloads: JsonPayload[] };
    expect(plain.payloads).toEqual([toJson(original)]);
  });

  it('refuses a missing or wrong bearer token with 401', async () => {
    const payload = toJson(defaultPayloadConverter.toPayload('x'));
    expect((await uiRequest('decode', [payload], '')).status).toBe(401);
    const wrong = await uiRequest('decode', [payload], 'Bearer not-the-token');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe('missing or wrong bearer token (Authorization: Bearer <token>)');
  });

  it('names the key id of a payload it has no key for, and says what a bad request lacks', async () => {
    const other = new EncryptionCodec(parseKeys(`k9:${randomBytes(32).toString('base64')}`));
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    const res = await uiRequest('decode', [toJson(foreign as Payload)]);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('a payload is encrypted with key "k9", which is not in BATON_ENCRYPTION_KEYS (it has k2, k1): add k9:<its base64 key> to BATON_ENCRYPTION_KEYS');
    const bad = await fetch(`${server.url}/decode`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{"nope":1}' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('expected {"payloads":[...]}');
  });

  it('runs as `baton codec-server --port`, with the token from BATON_CODEC_TOKEN, until SIGTERM', async () => {
    const keys = `k1:${randomBytes(32).toString('base64')}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', 'codec-server', '--port', '0', '--ui-origin', 'http://127.0.0.1:8080'], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, BATON_ENCRYPTION_KEYS: keys, BATON_CODEC_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /codec server on (http:\/\/[\d.:]+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`codec-server exited with ${code}: ${out}`)));
    });
    expect(out).toContain('encrypts with key k1 (from BATON_ENCRYPTION_KEYS) · CORS for http://127.0.0.1:8080');
    const [encrypted] = await new EncryptionCodec(parseKeys(keys)).encode([defaultPayloadConverter.toPayload('hello')]);
    const res = await fetch(`${url}/decode`, { method: 'POST', headers: { Origin: 'http://127.0.0.1:8080', 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ payloads: [toJson(encrypted as Payload)] }) });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
    expect(((await res.json()) as { payloads: JsonPayload[] }).payloads).toEqual([toJson(defaultPayloadConverter.toPayload('hello'))]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);

  it('with a content store, shows stored conversations and tool results in place of their references (decode only)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-codec-store-'));
    const store = new FileContentStore(dir);
    const first = await new ConversationStore(store).append(undefined, [{ role: 'user', content: 'hello' }], [{ role: 'user', content: 'hello' }]);
    const ref = await new ConversationStore(store).append(first, [{ role: 'assistant', content: 'hi there', toolCalls: [] }], [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi there', toolCalls: [] }]);
    const resultRef = await store.put('a very long tool result');
    const resolving = await startCodecServer({ codec, uiOrigins: [ui], port: 0, afterDecode: storedContentResolver(store) });
    try {
      const response = { conversationRef: ref, usage: { inputTokens: 1 }, message: { role: 'tool', content: 'a very…', contentRef: resultRef }, other: { contentRef: 'sha256:0000' } };
      const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(response)]);
      const res = await fetch(`${resolving.url}/decode`, { method: 'POST', headers: { Origin: ui, 'Content-Type': 'application/json' }, body: JSON.stringify({ payloads: [toJson(encrypted as Payload)] }) });
      const body = (await res.json()) as { payloads: JsonPayload[] };
      expect(JSON.parse(text(body.payloads[0]?.data ?? ''))).toEqual({
        ...response,
        'baton:stored': {
          [ref]: [{ role: 'user', content: 'hello' }, { role: 'assistant', content: 'hi there', toolCalls: [] }],
          [resultRef]: 'a very long tool result',
          'sha256:0000': "(not in this content store: pruned, or kept in another machine's store)",
        },
      });
      // Encoding never resolves: what goes to the server is exactly what was sent.
      const encoded = (await (await fetch(`${resolving.url}/encode`, { method: 'POST', body: JSON.stringify({ payloads: [toJson(defaultPayloadConverter.toPayload(response))] }) })).json()) as { payloads: JsonPayload[] };
      const [roundTrip] = await codec.decode([{ metadata: Object.fromEntries(Object.entries(encoded.payloads[0]?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(encoded.payloads[0]?.data ?? '', 'base64') }]);
      expect(defaultPayloadConverter.fromPayload(roundTrip as Payload)).toEqual(response);
    } finally {
      await resolving.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
