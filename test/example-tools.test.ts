/**
 * The tool examples (examples/tools), run the way a user runs them: `baton worker` and
 * `baton run` against the dev server, with the example tool package and a real MCP server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCliWorker, type CliWorker } from './helpers/cli';
import { uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';

const root = path.join(__dirname, '..');
const cli = path.join(root, 'client', 'cli', 'main.ts');
const config = path.join(root, 'examples', 'tools', 'baton.config.ts');
const queue = uniqueTaskQueue('tool-examples');
const outbox = path.join(mkdtempSync(path.join(os.tmpdir(), 'baton-tool-examples-')), 'outbox.tsv');
let worker: CliWorker;

function baton(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, '--config', config, '--address', inject('temporalAddress'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  worker = await startCliWorker(config, queue, { env: { WEATHER_OUTBOX: outbox } });
});
afterAll(() => void worker?.kill('SIGTERM'));

describe('the tool examples', () => {
  it('runs the forecaster with the example tool package and an MCP server, via baton run', () => {
    expect(worker.output()).toMatch(/mcp everything: \d+ tools/);
    const run = baton('run', 'forecaster', '--input', 'Oslo', '--wait', '-q', queue);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Oslo: highs (\d+)\/(\d+)\/(\d+) °C, rain \d+\/\d+\/\d+ mm\. MCP says: The sum of \d+ and \d+ is \d+\./);
    const [, a, b] = /highs (\d+)\/(\d+)/.exec(run.stdout) ?? [];
    expect(run.stdout).toContain(`The sum of ${a} and ${b} is ${Number(a) + Number(b)}.`);
    const tools = baton('tools', 'list');
    expect(tools.stdout).toMatch(/forecast\s+typescript\s+low/);
    expect(tools.stdout).toMatch(/alert_subscribers\s+typescript\s+high\s+fail/);
    expect(tools.stdout).toMatch(/everything__echo\s+mcp:everything/);
  });

  it('waits for approval before the high-risk alert, then sends it once', async () => {
    const id = uniqueWorkflowId('alert');
    expect(baton('run', 'alerter', '--input', 'Bergen', '--id', id, '-q', queue).code).toBe(0);
    let pending = '';
    for (let i = 0; i < 30 && !pending.includes(id); i++) {
      pending = baton('pending').stdout;
      if (!pending.includes(id)) await new Promise((r) => setTimeout(r, 500));
    }
    expect(pending).toMatch(new RegExp(`${id}\\s+approval-1\\s+alerter\\s+alert_subscribers\\s+high`));
    expect(baton('approve', id).code).toBe(0);
    expect(baton('result', id, '--wait').stdout.trim()).toBe('Alert for Bergen: {"city":"Bergen","sent":true}');
    const lines = readFileSync(outbox, 'utf8').trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${id}/[0-9a-f-]+/call_\\w+\\tBergen\\tHeavy rain expected in Bergen$`))]);
  });
});
