/**
 * Payload encryption against a dedicated real dev server whose SQLite files the test reads:
 * with `encryption: true`, a run's prompt, tool arguments, tool result, answer and failure
 * message are nowhere in the database, while `baton inspect`, `result`, `status` and
 * `audit export` (through the same codec) still show them, and so does the temporal CLI through
 * `baton`'s codec server; wrong, missing and rotated keys. The content store's files (a stored
 * conversation, a tool result kept by reference) hold none of them either.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startEphemeralServer, temporalCliPath, type EphemeralServer } from '../devtools/ephemeral-server';
import { startCodecServer } from '../codec/codec-server';
import { EncryptionCodec } from '../codec/encryption-codec';
import { loadConfig } from '../config/load-config';
import type { BatonConfig } from '../config/define-config';
import { BatonClient } from '../client/baton-client';
import { createBatonWorker } from '../workers/create-worker';
import { dataConverterFor } from '../codec/settings';
import { main } from '../client/cli/main';
import { describeRunFailure } from '../client/cli/commands/result';
import { verifyAuditFile } from '../client/ops/audit-verify';
import { replayRun } from '../client/ops/replay';
import { openContentStore } from '../workers/create-worker';
import { ConversationStore } from '../activities/conversation-store';
import { stateQuery } from '../workflows';
import { uniqueTaskQueue } from './helpers/temporal';
import { marks } from './fixtures/encryption/config';

const configPath = path.join(__dirname, 'fixtures/encryption/config.ts');
const key = () => randomBytes(32).toString('base64');
const k2 = key();
const k1 = key();
const keys = `k2:${k2},k1:${k1}`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'baton-encryption-'));

let server: EphemeralServer;
let native: NativeConnection;
let connection: Connection;
let config: BatonConfig;
const ids = { keeper: '', breaker: '' };

/** Every byte the server has stored: the SQLite database, its WAL and shared-memory files. */
function databaseBytes(): Buffer {
  return Buffer.concat(readdirSync(server.dbDir).map((f) => readFileSync(path.join(server.dbDir, f))));
}

/** Runs the real CLI in this process against the dedicated server; captures what it prints. */
async function cli(env: string | undefined, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const saved = process.env.BATON_ENCRYPTION_KEYS;
  if (env === undefined) delete process.env.BATON_ENCRYPTION_KEYS;
  else process.env.BATON_ENCRYPTION_KEYS = env;
  try {
    const code = await main(['--config', configPath, '--address', server.address, ...args]);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    process.env.BATON_ENCRYPTION_KEYS = saved;
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // This process already has a Runtime: keep it.
  }
  process.env.BATON_ENCRYPTION_KEYS = keys;
  server = await startEphemeralServer();
  native = await NativeConnection.connect({ address: server.address });
  connection = await Connection.connect({ address: server.address });
  config = await loadConfig(configPath);
});

afterAll(async () => {
  await native?.close();
  await connection?.close();
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('payload encryption', () => {
  it('keeps the prompt, tool arguments and result, the answer and failure messages out of the server\'s database', async () => {
    const taskQueue = uniqueTaskQueue('encrypted');
    const worker = await createBatonWorker({ config, connection: native, taskQueue });
    const baton = new BatonClient(new Client({ connection, dataConverter: dataConverterFor(config.encryption) }), config, { namespace: 'default' });
    const out = await worker.runUntil(async () => {
      const keeper = await baton.startAgent('keeper', `Find ${marks.prompt}`, { taskQueue });
      const result = await keeper.result();
      const breaker = await baton.startAgent('breaker', `Break ${marks.prompt}`, { taskQueue });
      const failure = await breaker.result().then(() => undefined, (e: unknown) => describeRunFailure(e));
      return { result, failure, keeper: keeper.workflowId, breaker: breaker.workflowId };
    });
    Object.assign(ids, { keeper: out.keeper, breaker: out.breaker });
    // The client decrypts: the run and its failure read as they were written.
    expect(out.result.output).toBe(`${marks.answer}: ${marks.result} for ${marks.argument}`);
    expect(out.failure).toContain(marks.failure);

    const stored = databaseBytes();
    for (const [name, mark] of Object.entries(marks)) expect(stored.includes(mark), `${name} (${mark}) is in the database`).toBe(false);
    expect(stored.includes('Encoded failure')).toBe(true);

    // Control: the same agent without encryption leaves its text readable in the same files.
    const plainQueue = uniqueTaskQueue('plain');
    const plainConfig = { ...config, encryption: false };
    const plainWorker = await createBatonWorker({ config: plainConfig, connection: native, taskQueue: plainQueue });
    const plain = new BatonClient(new Client({ connection }), plainConfig, { namespace: 'default' });
    await plainWorker.runUntil(async () => (await plain.startAgent('keeper', 'Find PLAINPROMPT-0c7d', { taskQueue: plainQueue })).result());
    const after = databaseBytes();
    expect(after.includes('PLAINPROMPT-0c7d')).toBe(true);
    expect(after.includes(marks.argument)).toBe(true);
  }, 180_000);

  it('keeps a stored conversation, a tool result kept by reference and a cached tool result out of the stores\' files', async () => {
    /** A worker and client whose runs keep their conversation (and tool results over 8 characters) in `dir`, and cache the tool's results in `dir/cache`. */
    const storing = (dir: string, encryption: BatonConfig['encryption']): BatonConfig => ({
      ...config, encryption, contentStore: { type: 'file', dir, storeConversationOver: 0 }, worker: { ...config.worker, storeToolResultsOver: 8 },
      toolCache: { type: 'file', dir: path.join(dir, 'cache') }, tools: config.tools.map((t) => ({ ...t, spec: { ...t.spec, cache: { ttl: '1h' } } })),
    });
    const run = async (stored: BatonConfig, prompt: string) => {
      const taskQueue = uniqueTaskQueue('stored');
      const worker = await createBatonWorker({ config: stored, connection: native, taskQueue });
      const baton = new BatonClient(new Client({ connection, dataConverter: dataConverterFor(stored.encryption) }), stored, { namespace: 'default' });
      return worker.runUntil(async () => {
        const handle = await baton.startAgent('keeper', prompt, { taskQueue });
        return { ...(await handle.result()), cacheHits: (await handle.query(stateQuery)).cacheHits };
      });
    };
    const filesUnder = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(path.join(e.parentPath, e.name)));

    const sealedDir = mkdtempSync(path.join(tmp, 'content-'));
    const sealed = storing(sealedDir, true);
    const result = await run(sealed, `Find ${marks.prompt}`);
    expect(result.output).toBe(`${marks.answer}: ${marks.result} for ${marks.argument}`);
    expect(result.conversationRef).toBeTruthy();
    const files = filesUnder(sealedDir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(readdirSync(path.join(sealedDir, 'cache')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    for (const [name, mark] of Object.entries(marks)) expect(files.some((f) => f.includes(mark)), `${name} (${mark}) is in the content store`).toBe(false);
    // Whoever holds the keys reads it back (the MCP server's transcripts, the codec server's --resolve-content).
    const store = new ConversationStore(openContentStore(sealed.contentStore, process.env, sealed.encryption));
    const messages = await store.withStoredResults(await store.read(result.conversationRef as string));
    expect(messages.map((m) => m.content).join('\n')).toContain(marks.prompt);
    expect(messages.find((m) => m.role === 'tool')?.content).toBe(`${marks.result} for ${marks.argument}`);

    // A second run's tool call is answered from the sealed cache.
    expect(result.cacheHits).toBe(0);
    expect(await run(sealed, `Find ${marks.prompt} again`)).toMatchObject({ output: result.output, cacheHits: 1 });

    // Control: the same run without encryption leaves the prompt, arguments and result readable in its files.
    const plainDir = mkdtempSync(path.join(tmp, 'content-plain-'));
    await run(storing(plainDir, false), `Find ${marks.prompt}`);
    const plain = filesUnder(plainDir);
    for (const mark of [marks.prompt, marks.argument, marks.result]) expect(plain.some((f) => f.includes(mark)), `${mark} in the plain store`).toBe(true);
    expect(filesUnder(path.join(plainDir, 'cache')).some((f) => f.includes(marks.result))).toBe(true);
  }, 180_000);

  it('shows the decrypted run in inspect, result, status and audit export', async () => {
    const inspect = await cli(keys, 'inspect', ids.keeper);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toContain(`tool vault_lookup {"code":"${marks.argument}"} · ok`);
    expect(inspect.stdout).toContain(`output: ${marks.answer}`);
    const json = await cli(keys, 'inspect', ids.keeper, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ summary: `agent keeper: Find ${marks.prompt}`, status: 'completed' });
    const failed = await cli(keys, 'inspect', ids.breaker);
    expect(failed.stdout).toContain(marks.failure);

    const result = await cli(keys, 'result', ids.keeper);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toBe(`${marks.answer}: ${marks.result} for ${marks.argument}`);
    const status = await cli(keys, 'status', ids.keeper);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/status\s+completed/);

    const file = path.join(tmp, 'audit.jsonl');
    const audit = await cli(keys, 'audit', 'export', '--run', ids.keeper, '--out', file);
    expect(audit.code, audit.stderr).toBe(0);
    const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r.type === 'run.started')).toMatchObject({ agent: 'keeper', input: `Find ${marks.prompt}` });
    expect(records.find((r) => r.type === 'tool.call')).toMatchObject({ tool: 'vault_lookup', arguments: { code: marks.argument }, result: `${marks.result} for ${marks.argument}` });
    expect(records.find((r) => r.type === 'run.ended')).toMatchObject({ status: 'completed', output: `${marks.answer}: ${marks.result} for ${marks.argument}` });
    expect(verifyAuditFile(file)).toMatchObject({ ok: true });

    // `baton replay` decodes the encrypted history through the same codec.
    const encrypted = new Client({ connection, dataConverter: dataConverterFor(config.encryption) });
    expect(await replayRun(encrypted, ids.keeper)).toEqual([expect.objectContaining({ ok: true })]);
  }, 120_000);

  it('names the key id when a key is wrong, missing or not set, and decrypts old runs after a rotation', async () => {
    const wrong = await cli(`k2:${key()},k1:${k1}`, 'result', ids.keeper);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('cannot decrypt a payload encrypted with key "k2": the key "k2" in BATON_ENCRYPTION_KEYS is not the one it was encrypted with');
    const wrongInspect = await cli(`k2:${key()}`, 'inspect', ids.keeper);
    expect(wrongInspect.code).toBe(1);
    expect(wrongInspect.stderr).toContain('key "k2"');

    const missing = await cli(`k1:${k1}`, 'inspect', ids.keeper);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('a payload is encrypted with key "k2", which is not in BATON_ENCRYPTION_KEYS (it has k1): add k2:<its base64 key> to BATON_ENCRYPTION_KEYS');

    const unset = await cli(undefined, 'status', ids.keeper);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('encryption is on but BATON_ENCRYPTION_KEYS is not set');

    // Rotation: a new key listed first encrypts from now on; the old ones still decrypt.
    const rotated = await cli(`k3:${key()},${keys}`, 'result', ids.keeper);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain(marks.answer);
  }, 120_000);

  it('lets the temporal CLI read the run through `--codec-endpoint` and the codec server', async () => {
    const codec = await startCodecServer({ codec: EncryptionCodec.fromEnv(), uiOrigins: ['http://localhost:8233'], token: 'cli-token-3e9a', port: 0 });
    // The history as `temporal workflow show -o json` prints it, with every payload's base64 data decoded to text.
    const show = async (...extra: string[]) => {
      const { stdout } = await promisify(execFile)(temporalCliPath(), ['workflow', 'show', '-w', ids.keeper, '--address', server.address, '-o', 'json', ...extra], { maxBuffer: 16 * 1024 * 1024 });
      return [...stdout.matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1] as string, 'base64').toString('latin1')).join('\n');
    };
    try {
      const decoded = await show('--codec-endpoint', codec.url, '--codec-auth', 'Bearer cli-token-3e9a');
      for (const mark of [marks.prompt, marks.argument, marks.result, marks.answer]) expect(decoded).toContain(mark);
      const raw = await show();
      for (const mark of [marks.prompt, marks.argument, marks.result, marks.answer]) expect(raw).not.toContain(mark);
    } finally {
      await codec.close();
    }
  }, 120_000);
});
