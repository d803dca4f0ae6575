/**
 * The tool-call ledger: a call whose result was recorded is answered from the ledger on a
 * retry without running the tool again, a retry after an attempt that recorded nothing is
 * told so (`previousAttemptMayHaveRun`), and entries are pruned by age. The file ledger and
 * the PostgreSQL ledger keep the same contract; both are exercised here on real stores, the
 * workflow paths on the real dev server.
 */
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, FileToolLedger, PostgresToolLedger, type ToolLedger } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import type { ToolMessage, ToolResult } from '../core';
import { startTestBaton } from './helpers/baton';
import { usePostgres } from './helpers/postgres';
import { waitFor } from './helpers/wait-for';

const urlEnv = 'BATON_LEDGER_TEST_DATABASE_URL';
const db = usePostgres(urlEnv);

const tempDir = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix));
const ok = (content: string): ToolResult => ({ content, isError: false });

/** Calls `charge_card` once, then answers with its result. */
const chargeOnce = () =>
  ScriptedModel.respondWith(({ messages }) => {
    const result = messages.find((m): m is ToolMessage => m.role === 'tool');
    return result ? { text: `charged: ${result.content}` } : { toolCalls: [{ name: 'charge_card', arguments: { cents: 500 } }] };
  });

type HistoryEvent = {
  eventId?: unknown;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown; attempt?: number | null } | null;
};

/** The attempt that completed the run's runTool activity, from the run's history. */
async function toolAttempt(handle: { fetchHistory(): Promise<{ events?: HistoryEvent[] | null }> }): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool').map((e) => String(e.eventId)));
  const started = events.find((e) => scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)));
  return started?.activityTaskStartedEventAttributes?.attempt ?? 0;
}

async function checkContract(ledger: ToolLedger) {
  const key = `wf/run/call-${Math.random().toString(36).slice(2)}`;
  expect(await ledger.begin(key, 'charge_card')).toEqual({ state: 'new' });
  expect(await ledger.begin(key, 'charge_card')).toEqual({ state: 'started', attempts: 1 });
  expect(await ledger.begin(key, 'charge_card')).toEqual({ state: 'started', attempts: 2 });
  await ledger.complete(key, 'charge_card', ok('{"id":"ch_1"}'));
  expect(await ledger.begin(key, 'charge_card')).toEqual({ state: 'completed', result: ok('{"id":"ch_1"}') });
  expect(await ledger.begin(`${key}-other`, 'charge_card')).toEqual({ state: 'new' });
  expect(await ledger.prune(60_000)).toMatchObject({ removed: 0 });
  await new Promise((r) => setTimeout(r, 50));
  const pruned = await ledger.prune(10);
  expect(pruned.removed).toBe(2);
  expect(await ledger.begin(key, 'charge_card')).toEqual({ state: 'new' });
}

describe('tool-call ledger', () => {
  it('file ledger: records markers and results, counts attempts, prunes by age, files readable only by the owner', async () => {
    const dir = path.join(tempDir('baton-ledger-'), 'ledger');
    await checkContract(new FileToolLedger(dir));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('file ledger: a first attempt\'s result (no marker before it) is read back, owner-only, no temp file left; one cut short reads as nothing recorded', async () => {
    const dir = path.join(tempDir('baton-ledger-'), 'ledger');
    const ledger = new FileToolLedger(dir);
    await ledger.complete('wf/run/first', 'charge_card', ok('{"id":"ch_2"}'));
    expect(await ledger.begin('wf/run/first', 'charge_card')).toEqual({ state: 'completed', result: ok('{"id":"ch_2"}') });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(statSync(path.join(dir, readdirSync(dir)[0] as string)).mode & 0o777).toBe(0o600);
    // A crash mid-write leaves part of the file: the next attempt finds nothing recorded and marks it.
    await ledger.complete('wf/run/torn', 'charge_card', ok('{"id":"ch_3"}'));
    const torn = readdirSync(dir).map((name) => path.join(dir, name)).find((file) => readFileSync(file, 'utf8').includes('ch_3')) as string;
    writeFileSync(torn, readFileSync(torn, 'utf8').slice(0, 20));
    expect(await ledger.begin('wf/run/torn', 'charge_card')).toEqual({ state: 'new' });
    expect(await ledger.begin('wf/run/torn', 'charge_card')).toEqual({ state: 'started', attempts: 1 });
  });

  it('file ledger: a first attempt\'s result goes to the worker\'s log, read back by a retry of any worker, pruned by the log\'s age', async () => {
    const dir = path.join(tempDir('baton-ledger-'), 'ledger');
    const [workerA, workerB] = [new FileToolLedger(dir), new FileToolLedger(dir)];
    const scheduled = Date.now();
    await Promise.all(Array.from({ length: 19 }, (_, i) => workerA.complete(`wf/run/call-${i}`, 'charge_card', ok(`{"id":"ch_${i}"}`), true)));
    await workerA.complete('wf/run/call-19', 'charge_card', ok('{"id":"ch_19"}'), true);
    await workerB.complete('wf/run/b', 'charge_card', ok('{"id":"ch_b"}'), true);
    const logs = readdirSync(dir);
    expect(logs).toHaveLength(2);
    expect(logs.every((name) => name.endsWith('.log') && (statSync(path.join(dir, name)).mode & 0o777) === 0o600)).toBe(true);
    // A retry on the other worker finds it; one scheduled after every log was last written does not read them.
    expect(await workerB.begin('wf/run/call-7', 'charge_card', scheduled)).toEqual({ state: 'completed', result: ok('{"id":"ch_7"}') });
    expect(await workerA.begin('wf/run/b', 'charge_card', scheduled)).toEqual({ state: 'completed', result: ok('{"id":"ch_b"}') });
    expect(await workerA.begin('wf/run/call-8', 'charge_card', Date.now() + 3_600_000)).toEqual({ state: 'new' });
    expect(await workerA.begin('wf/run/unknown', 'charge_card', scheduled)).toEqual({ state: 'new' });
    // A last line cut short (a crash mid-write) reads as nothing recorded, and the next append still reads.
    const logA = logs.map((name) => path.join(dir, name)).find((file) => readFileSync(file, 'utf8').includes('ch_19')) as string;
    const text = readFileSync(logA, 'utf8');
    writeFileSync(logA, text.slice(0, text.indexOf('ch_19')));
    expect(await workerB.begin('wf/run/call-19', 'charge_card', scheduled)).toEqual({ state: 'new' });
    expect(await workerB.begin('wf/run/call-18', 'charge_card', scheduled)).toEqual({ state: 'completed', result: ok('{"id":"ch_18"}') });
    await workerA.complete('wf/run/after-torn', 'charge_card', ok('{"id":"ch_t"}'), true);
    expect(await workerB.begin('wf/run/after-torn', 'charge_card', scheduled)).toEqual({ state: 'completed', result: ok('{"id":"ch_t"}') });
    // Prune takes whole logs by age, counting their whole entries (19 + 1 and 1), and the markers the lookups above left (3); a pruned worker starts a new log.
    await new Promise((r) => setTimeout(r, 50));
    const pruned = await workerA.prune(10);
    expect(pruned).toEqual({ removed: 24, kept: 0 });
    expect(readdirSync(dir)).toEqual([]);
    await workerA.complete('wf/run/later', 'charge_card', ok('{"id":"ch_l"}'), true);
    expect(await workerB.begin('wf/run/later', 'charge_card', scheduled)).toEqual({ state: 'completed', result: ok('{"id":"ch_l"}') });
  });

  it('file ledger: closes its log when idle and goes on in the same log at the next append', async () => {
    const dir = path.join(tempDir('baton-ledger-'), 'ledger');
    const ledger = new FileToolLedger(dir, { logIdleMs: 50 });
    const openLogs = () => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir); } catch { return false; } }).length;
    await ledger.complete('wf/run/1', 'charge_card', ok('{"id":"ch_1"}'), true);
    expect(openLogs()).toBe(1);
    await waitFor(() => openLogs() === 0, 'the idle log to be closed', 20_000, 20);
    await ledger.complete('wf/run/2', 'charge_card', ok('{"id":"ch_2"}'), true);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(await ledger.begin('wf/run/1', 'charge_card', 0)).toEqual({ state: 'completed', result: ok('{"id":"ch_1"}') });
    expect(await ledger.begin('wf/run/2', 'charge_card', 0)).toEqual({ state: 'completed', result: ok('{"id":"ch_2"}') });
  });

  it('PostgreSQL ledger: the same contract on a real server', async () => {
    await checkContract(new PostgresToolLedger(db.backend.pool, 'ledger_contract'));
  });

  it('answers a retry of a call whose result was recorded from the ledger, without running the tool again', async () => {
    const charges: string[] = [];
    const charge = defineTool({
      name: 'charge_card', description: 'Charges a card', risk: 'low', input: z.object({ cents: z.number() }), retry: { initialInterval: '100ms' },
      execute: ({ cents }, ctx) => (charges.push(ctx.idempotencyKey), { id: `ch_${charges.length}`, cents }),
    });
    // The attempt dies after the ledger write and before Temporal hears of it, as after kill -9 there.
    const files = new FileToolLedger(path.join(tempDir('baton-ledger-'), 'ledger'));
    let died = false;
    const dyingLedger: ToolLedger = {
      begin: (key, tool, since) => files.begin(key, tool, since),
      prune: (ms) => files.prune(ms),
      async complete(key, tool, result, first) {
        await files.complete(key, tool, result, first);
        if (died) return;
        died = true;
        throw new Error('worker died after recording the result');
      },
    };
    const baton = await startTestBaton({ models: { scripted: chargeOnce() }, tools: [charge], agents: { payer: { provider: 'scripted', model: 's', tools: ['charge_card'] } }, toolLedger: dyingLedger });
    const { result, attempt } = await baton.run(async () => {
      const handle = await baton.client.startAgent('payer', 'pay');
      return { result: await handle.result(), attempt: await toolAttempt(handle) };
    });
    expect(charges).toHaveLength(1);
    expect(attempt).toBe(2);
    expect(result.output).toBe('charged: {"id":"ch_1","cents":500}');
  });

  it('tells the tool when an earlier attempt started and recorded nothing', async () => {
    const seen: Array<{ attempt: number; mayHaveRun?: boolean }> = [];
    const charge = defineTool({
      name: 'charge_card', description: 'Charges a card', input: z.object({ cents: z.number() }), retry: { initialInterval: '100ms' },
      execute: (_args, ctx) => {
        seen.push({ attempt: ctx.attempt, mayHaveRun: ctx.previousAttemptMayHaveRun });
        if (ctx.attempt === 1) throw new Error('connection reset after the charge was sent');
        return { id: 'ch_1' };
      },
    });
    const baton = await startTestBaton({ models: { scripted: chargeOnce() }, tools: [charge], agents: { payer: { provider: 'scripted', model: 's', tools: ['charge_card'] } }, toolCache: { dir: tempDir('baton-ledger-cache-') } });
    const result = await baton.run(async () => (await baton.client.startAgent('payer', 'pay')).result());
    expect(seen).toEqual([{ attempt: 1, mayHaveRun: false }, { attempt: 2, mayHaveRun: true }]);
    expect(result.output).toBe('charged: {"id":"ch_1"}');
  });

  it('keeps the ledger in PostgreSQL when the tool cache is PostgreSQL', async () => {
    const charge = defineTool({ name: 'charge_card', description: 'Charges a card', input: z.object({ cents: z.number() }), execute: ({ cents }) => ({ id: 'ch_pg', cents }) });
    const baton = await startTestBaton({ models: { scripted: chargeOnce() }, tools: [charge], agents: { payer: { provider: 'scripted', model: 's', tools: ['charge_card'] } }, toolCache: { type: 'postgres', urlEnv } });
    const handle = await baton.run(async () => {
      const h = await baton.client.startAgent('payer', 'pay');
      await h.result();
      return h;
    });
    const { rows } = await db.backend.pool.query<{ key: string; state: string; result: string }>('SELECT key, state, result FROM baton_tool_ledger');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key).toMatch(new RegExp(`^${handle.workflowId}/[0-9a-f-]+/`));
    expect(rows[0]?.state).toBe('completed');
    expect(JSON.parse(rows[0]?.result ?? '{}')).toEqual(ok('{"id":"ch_pg","cents":500}'));
  });
});
