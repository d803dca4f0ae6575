/**
 * The real `baton` CLI printing a run whose model answer carries terminal escape sequences
 * (an OSC 52 clipboard write, a screen erase, a bell, a carriage return): `run --wait`,
 * `result` and `inspect` print clean text on a terminal (forced with BATON_TTY=1), while
 * `--json` keeps the exact string.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';
import { startCliWorker } from './helpers/cli';

const root = path.join(__dirname, '..');
const config = path.join(__dirname, 'fixtures/cli/config.ts');
const queue = uniqueTaskQueue('cli-tty');
let worker: ChildProcess;

/** Runs the real CLI against the test server, as if its output went to a terminal. */
function baton(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', '--config', config, '--address', inject('temporalAddress'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, BATON_TTY: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  worker = await startCliWorker(config, queue);
});
afterAll(() => void worker?.kill('SIGTERM'));

// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const control = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('baton CLI on a terminal', () => {
  it('strips escape sequences from run --wait, result and inspect, and keeps them in --json', () => {
    const id = uniqueWorkflowId('cli-tty');
    // The fixture's model answers "The tool said <input upper-cased>".
    const input = 'hi\x1b]52;c;cm0gLXJmIH4=\x07 there\x1b[2J\x1b[1;1H\rX';
    const answer = `The tool said ${input.toUpperCase()}`;
    const clean = 'The tool said HI THEREX';

    const run = baton('run', 'echoer', '--input', input, '--wait', '--id', id, '-q', queue);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(clean);
    expect(run.stdout).not.toMatch(control);
    expect(run.stderr).not.toMatch(control);

    const result = baton('result', id);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(clean);
    const json = baton('result', id, '--json');
    expect((JSON.parse(json.stdout) as { output: string }).output).toBe(answer);

    const inspect = baton('inspect', id);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain('output: The tool said HI THERE X'); // inspect shows a carriage return as a space
    expect(inspect.stdout).not.toMatch(control);
    const inspectJson = JSON.parse(baton('inspect', id, '--json').stdout) as { output?: string };
    expect(inspectJson.output).toBe(answer);
  });

  it('strips escape sequences from the run ids baton list prints', () => {
    const plainId = uniqueWorkflowId('cli-tty-list');
    const hostileId = `${plainId}\x1b]0;pwned\x07\x1b[2J`;
    expect(baton('run', 'echoer', '--input', 'x', '--wait', '--id', hostileId, '-q', queue).code).toBe(0);
    let list = baton('list', '--agent', 'echoer', '--limit', '100');
    // Visibility is written asynchronously: a few more tries if the run is not listed yet.
    for (let i = 0; i < 10 && !list.stdout.includes(plainId); i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      list = baton('list', '--agent', 'echoer', '--limit', '100');
    }
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${plainId}  +echoer +agent +completed`, 'm'));
    expect(list.stdout).not.toContain('pwned');
    expect(list.stdout).not.toMatch(control);
  });
});
