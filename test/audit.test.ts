/**
 * `baton audit export` and `verify` on a real run: a hand-off, a tool call, an approval
 * decided by a named person and a child run (an agent used as a tool), read back from the
 * histories as JSON Lines, redacted (built-in and configured rules) and hash-chained; then
 * one changed byte, a dropped line, two swapped lines, a rehashed record and a cut tail.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { decideApprovalUpdate, replaceStepUpdate, specStateQuery, stateQuery } from '../workflows';
import { exportAudit } from '../client/ops/audit-export';
import { genesisHash, verifyAuditLines } from '../client/ops/audit-chain';
import { AuditRedactor } from '../client/ops/audit-redact';
import { main } from '../client/cli/main';
import { parseSince } from '../client/cli/commands/audit';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'baton-audit-'));
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await closeTestEnv();
});

const prompt = 'Pay 30 to alice@example.com, card 4111 1111 1111 1111, key sk-live-abcdefghijklmnop1234';
const iban = 'DE89370400440532013000';
type Line = Record<string, unknown>;

async function exportedRun(): Promise<{ lines: string[]; workflowId: string; started: Date }> {
  const balance = defineTool({ name: 'balance', description: 'Reads the balance', input: z.object({}), execute: () => 'balance 100' });
  const wire = defineTool({ name: 'wire_money', description: 'Sends money', risk: 'high', input: z.object({ amount: z.number(), iban: z.string() }), execute: ({ amount }) => `sent ${amount}` });
  const model = ScriptedModel.respondWith(({ agent, messages }) => {
    if (agent.name === 'triage') return { toolCalls: [{ name: 'transfer_to_banker', arguments: { reason: 'a payment' } }] };
    if (agent.name === 'clerk') return { text: 'clerk filed it under ACCT-123456' };
    const results = messages.filter((m) => m.role === 'tool' && !m.content.startsWith('Transferred'));
    if (!results.length) return { toolCalls: [{ name: 'balance', arguments: {} }, { name: 'wire_money', arguments: { amount: 30, iban } }, { name: 'ask_clerk', arguments: { request: 'file the payment' } }] };
    return { text: `done: ${results.map((m) => m.content).join(' | ')}` };
  });
  const baton = await startTestBaton({
    models: { scripted: model },
    agents: {
      triage: { provider: 'scripted', model: 's', handoffs: ['banker'] },
      banker: { provider: 'scripted', model: 's', tools: ['balance', 'wire_money'], agentTools: ['clerk'] },
      clerk: { provider: 'scripted', model: 's' },
    },
    tools: [balance, wire],
    audit: { redact: { fields: ['**.iban'], patterns: ['ACCT-\\d{6}'] } },
  });
  const started = new Date(Date.now() - 1000);
  const workflowId = await baton.run(async () => {
    const handle = await baton.client.startAgent('triage', prompt);
    await waitFor(async () => (await handle.query(stateQuery)).pendingApprovals.length > 0, 'the wire to wait for approval', 60_000, 50);
    await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: true, reason: 'ok, told bob@example.org', by: 'alice' }] });
    await handle.result();
    return handle.workflowId;
  });
  const lines: string[] = [];
  await exportAudit(baton.client.temporal, baton.config.audit, { workflowId }, (line) => void lines.push(line));
  // Without --run: visibility finds the same run by its agent and start time (children included).
  const byAgent: string[] = [];
  // Visibility catches up with the run's end on its own time (longer on a loaded machine).
  await waitFor(async () => {
    byAgent.length = 0;
    await exportAudit(baton.client.temporal, baton.config.audit, { agent: 'triage', since: started }, (line) => void byAgent.push(line));
    return byAgent.length > 1;
  }, 'visibility to list the finished run by its agent', 60_000, 100);
  expect(byAgent.map((l) => (JSON.parse(l) as Line).type)).toEqual(lines.map((l) => (JSON.parse(l) as Line).type));
  return { lines, workflowId, started };
}

describe('audit export', () => {
  let lines: string[] = [];

  it('writes one record per run start and end, model call, tool call, approval, hand-off and child run, redacted and chained', async () => {
    const run = await exportedRun();
    lines = run.lines;
    const records = lines.map((l) => JSON.parse(l) as Line);
    const text = lines.join('\n');
    const of = (type: string, where: Line = {}) => records.filter((r) => r.type === type && Object.entries(where).every(([k, v]) => r[k] === v));

    expect(records[0]).toMatchObject({ seq: 1, type: 'run.started', workflowId: run.workflowId, agent: 'triage', prev: genesisHash });
    expect(of('model.call', { agent: 'triage' })[0]).toMatchObject({ provider: 'scripted', model: 's', turn: 1, attempts: 1, usage: { inputTokens: expect.any(Number) }, output: { toolCalls: [{ name: 'transfer_to_banker' }] } });
    expect(of('handoff')).toEqual([expect.objectContaining({ from: 'triage', to: 'banker', workflowId: run.workflowId })]);
    expect(records.indexOf(of('handoff')[0] as Line)).toBeLessThan(records.indexOf(of('model.call', { agent: 'banker' })[0] as Line));
    expect(of('tool.call', { tool: 'balance' })).toEqual([expect.objectContaining({ agent: 'banker', arguments: {}, outcome: 'ok', result: 'balance 100', attempts: 1, cached: false })]);
    expect(of('approval.requested')).toEqual([expect.objectContaining({ approvalId: 'approval-1', tool: 'wire_money', agent: 'banker', risk: 'high', arguments: { amount: 30, iban: '[redacted]' } })]);
    expect(of('approval.decided')).toEqual([expect.objectContaining({ approvalId: 'approval-1', decision: 'approved', by: 'person', decidedBy: 'alice', reason: 'ok, told [redacted email]', decidedAt: expect.any(String) })]);
    expect(of('tool.call', { tool: 'wire_money' })).toEqual([expect.objectContaining({ outcome: 'ok', result: 'sent 30', arguments: { amount: 30, iban: '[redacted]' } })]);
    // The child run (the clerk, asked as a tool) follows its parent, linked to it.
    const child = of('run.started', { agent: 'clerk' })[0];
    expect(child).toMatchObject({ parentWorkflowId: run.workflowId, input: 'file the payment' });
    expect(of('run.ended', { workflowId: child?.workflowId as string })[0]).toMatchObject({ status: 'completed', output: 'clerk filed it under [redacted]' });
    expect(of('run.ended', { workflowId: run.workflowId })[0]).toMatchObject({ status: 'completed', agent: 'banker', path: ['triage', 'banker'] });
    expect(records.at(-1)).toMatchObject({ type: 'export.completed', records: records.length - 1 });

    // Redaction reaches every record: the input, the model's messages, tool arguments, the child's output.
    expect(of('run.started', { workflowId: run.workflowId })[0]?.input).toBe('Pay 30 to [redacted email], card [redacted card number], key [redacted api key]');
    for (const secret of ['alice@example.com', 'bob@example.org', '4111 1111 1111 1111', 'sk-live-abcdefghijklmnop1234', iban, 'ACCT-123456']) expect(text).not.toContain(secret);

    // The chain: every record carries the SHA-256 of the one before.
    records.forEach((r, i) => {
      expect(r.seq).toBe(i + 1);
      if (i > 0) expect(r.prev).toBe(records[i - 1]?.hash);
      const body = (lines[i] as string).replace(/,"hash":"[0-9a-f]{64}"\}$/, '}');
      expect(r.hash).toBe(createHash('sha256').update(body).digest('hex'));
    });
  }, 120_000);

  it('verify accepts the export and names the first changed, dropped or reordered record by line', async () => {
    expect(lines.length).toBeGreaterThan(8);
    const file = path.join(tmp, 'run.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
      try {
        return { code: await main(args), stdout: out.join('\n') };
      } finally {
        log.mockRestore();
      }
    };
    expect(await cli('audit', 'verify', file)).toEqual({ code: 0, stdout: `${file}: ${lines.length - 1} records, hash chain intact` });

    // One byte changed in record 5.
    const changed = [...lines];
    changed[4] = (changed[4] as string).replace('"type":"', '"type":"X');
    writeFileSync(file, `${changed.join('\n')}\n`);
    expect(await cli('audit', 'verify', file)).toEqual({ code: 1, stdout: `${file}: line 5: changed: the record does not match its own hash` });

    expect(verifyAuditLines(lines.filter((_, i) => i !== 3))).toEqual({ ok: false, line: 4, problem: 'dropped: record 4 is missing (this line holds record 5)' });
    const swapped = [...lines];
    [swapped[2], swapped[3]] = [lines[3] as string, lines[2] as string];
    expect(verifyAuditLines(swapped)).toEqual({ ok: false, line: 3, problem: 'reordered: holds record 4; record 3 is on line 4' });
    expect(verifyAuditLines(lines.slice(0, -1))).toMatchObject({ ok: false, line: lines.length, problem: expect.stringContaining('dropped: the file ends without its closing export.completed record') });

    // Record 6 altered and its own hash recomputed: line 7 no longer links to it.
    const record = JSON.parse(lines[5] as string) as Line;
    const altered: Line = { ...record, at: '2000-01-01T00:00:00.000Z' };
    const { hash: _hash, ...body } = altered;
    const text = JSON.stringify(body);
    const rehashed = [...lines];
    rehashed[5] = `${text.slice(0, -1)},"hash":"${createHash('sha256').update(text).digest('hex')}"}`;
    expect(verifyAuditLines(rehashed)).toMatchObject({ ok: false, line: 6, problem: expect.stringContaining('changed: the record was altered and its hash recomputed') });
  });

  it('records a spec change (replaceStep), a spec\'s approval step, its child runs, and a failed run with its failure', async () => {
    const model = ScriptedModel.respondWith(({ agent, messages }) =>
      agent.name === 'breaker' ? { fail: { status: 400, message: 'bad request' } } : { text: `${agent.name}(${(messages[0] as { content: string }).content})` });
    const agents = Object.fromEntries(['drafter', 'publisher', 'archiver', 'breaker'].map((n) => [n, { provider: 'scripted', model: 's' }]));
    const baton = await startTestBaton({ models: { scripted: model }, agents });
    const flow = { kind: 'sequence', steps: [{ kind: 'agent', agent: 'drafter' }, { kind: 'approval', message: 'Publish this draft?' }, { kind: 'agent', agent: 'publisher' }] };
    const ids = await baton.run(async () => {
      const spec = await baton.client.startSpec(specFor(baton, 'review', flow), 'news');
      await waitFor(async () => (await spec.query(specStateQuery)).pendingApprovals.length > 0, 'the spec to wait for approval', 60_000, 50);
      await spec.executeUpdate(replaceStepUpdate, { args: [{ path: 'root.steps[2]', step: { kind: 'agent', agent: 'archiver' } }] });
      await spec.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: true, by: 'carol' }] });
      await spec.result();
      const broken = await baton.client.startAgent('breaker', 'go');
      await broken.result().catch(() => undefined);
      return { spec: spec.workflowId, broken: broken.workflowId };
    });
    const read = async (workflowId: string) => {
      const lines: string[] = [];
      await exportAudit(baton.client.temporal, baton.config.audit, { workflowId }, (l) => void lines.push(l));
      expect(verifyAuditLines(lines)).toMatchObject({ ok: true });
      return lines.map((l) => JSON.parse(l) as Line);
    };
    const spec = await read(ids.spec);
    expect(spec[0]).toMatchObject({ type: 'run.started', workflowType: 'specWorkflow', spec: 'review', input: 'news' });
    expect(spec.filter((r) => r.type === 'spec.changed')).toEqual([expect.objectContaining({ change: { path: 'root.steps[2]', step: { kind: 'agent', agent: 'archiver' } }, result: { path: 'root.steps[2]' } })]);
    expect(spec.filter((r) => r.type === 'approval.decided')).toEqual([expect.objectContaining({ decision: 'approved', decidedBy: 'carol' })]);
    expect(spec.filter((r) => r.type === 'run.started' && r.parentWorkflowId === ids.spec).map((r) => r.agent)).toEqual(['drafter', 'archiver']);
    expect(spec.filter((r) => r.type === 'run.ended' && r.workflowId === ids.spec)).toEqual([expect.objectContaining({ status: 'completed', output: 'archiver(drafter(news))' })]);

    const broken = await read(ids.broken);
    expect(broken.find((r) => r.type === 'model.call')).toMatchObject({ agent: 'breaker', error: expect.stringContaining('bad request') });
    expect(broken.find((r) => r.type === 'failure')).toMatchObject({ scope: 'run', error: expect.stringContaining('bad request') });
    expect(broken.find((r) => r.type === 'run.ended')).toMatchObject({ status: 'failed' });
  }, 120_000);

  it('redacts with the built-in rules (off with builtIn: false), configured patterns and field paths', () => {
    const redactor = new AuditRedactor({ builtIn: true, patterns: ['ACCT-\\d+'], fields: ['arguments.pin', '*.token', '**.iban'] });
    const record = {
      text: 'mail a.b+c@mail.example.co.uk, card 4111-1111-1111-1111 (order 1234567890123456 stays), AKIAIOSFODNN7EXAMPLE, ghp_abcdefghijklmnopqrstuvwxyz0123456789, Bearer abc.def-ghi_jkl~mnop, ACCT-42',
      arguments: { pin: 1234, nested: { pin: 5 } },
      call: { token: 't' },
      deep: [{ x: { iban: 'DE1' } }],
    };
    expect(redactor.redact(record)).toEqual({
      text: 'mail [redacted email], card [redacted card number] (order 1234567890123456 stays), [redacted api key], [redacted api key], Bearer [redacted api key], [redacted]',
      arguments: { pin: '[redacted]', nested: { pin: 5 } },
      call: { token: '[redacted]' },
      deep: [{ x: { iban: '[redacted]' } }],
    });
    expect(new AuditRedactor({ builtIn: false, patterns: [], fields: [] }).redact(record)).toEqual(record);
  });

  it('records an approval the timeout decided, naming the call it rejected', async () => {
    const wire = defineTool({ name: 'wire_money', description: 'Sends money', risk: 'high', input: z.object({ amount: z.number() }), execute: () => 'sent' });
    const model = ScriptedModel.respondWith(({ messages }) => {
      const result = messages.find((m) => m.role === 'tool');
      return result ? { text: `told: ${result.content}` } : { toolCalls: [{ name: 'wire_money', arguments: { amount: 5 } }] };
    });
    const baton = await startTestBaton({ models: { scripted: model }, agents: { cautious: { provider: 'scripted', model: 's', tools: ['wire_money'], approval: { timeout: '1s', onTimeout: 'reject' } } }, tools: [wire] });
    const workflowId = await baton.run(async () => {
      const handle = await baton.client.startAgent('cautious', 'pay 5');
      await handle.result();
      return handle.workflowId;
    });
    const lines: string[] = [];
    await exportAudit(baton.client.temporal, baton.config.audit, { workflowId }, (l) => void lines.push(l));
    const records = lines.map((l) => JSON.parse(l) as Line);
    expect(records.filter((r) => r.type === 'approval.decided')).toEqual([expect.objectContaining({
      by: 'timeout', decision: 'rejected', agent: 'cautious', turn: 1, timeoutMs: 1000, tool: 'wire_money', callId: 'call_1_0', reason: 'no decision before the approval timeout',
    })]);
    expect(records.filter((r) => r.type === 'tool.call')).toEqual([]);
  }, 120_000);

  it('takes --since as an ISO time or a duration back from now, and says what it expects otherwise', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(parseSince('24h', now).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(parseSince('2026-11-01T08:30:00Z', now).toISOString()).toBe('2026-11-01T08:30:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow('--since: expected an ISO 8601 time (2026-11-25T14:00:00Z) or a duration back from now (24h, 7d), got "yesterday"');
  });
});
