/**
 * How `baton watch` and `baton run --wait` print a run: the agent's name then its text as it
 * arrives on a terminal (control sequences stripped), whole lines otherwise, JSON lines with
 * --json; and `baton watch` against a real streamed run.
 */
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { ScriptedModel } from '../activities/providers/scripted';
import { WatchPrinter } from '../client/cli/watch-printer';
import type { WatchEvent } from '../client/watch';
import { captureCli } from './helpers/cli';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const run = { workflowId: 'wf-1', runId: 'r-1' };
const events: WatchEvent[] = [
  { type: 'agent-turn', run, agent: 'triage', turn: 1 },
  { type: 'tool-call', run, agent: 'triage', tool: 'lookup', callId: 'c1', arguments: { city: 'Lisbon' } },
  { type: 'tool-result', run, agent: 'triage', tool: 'lookup', callId: 'c1', content: 'sunny', isError: false },
  { type: 'handoff', run, from: 'triage', to: 'weather' },
  { type: 'agent-turn', run, agent: 'weather', turn: 2 },
  { type: 'text', run, agent: 'weather', turn: 2, text: 'Sunny in\nLis' },
  { type: 'stream-restarted', run, agent: 'weather', turn: 2, attempt: 2, reason: 'retry' },
  { type: 'text', run, agent: 'weather', turn: 2, text: 'Sunny\x1b]52;c;cm0=\x07 in' },
  { type: 'text', run, agent: 'weather', turn: 2, text: '\nLisbon.' },
  { type: 'finished', run, result: { output: 'Sunny in\nLisbon.' } },
];

function printed(isTTY: boolean, json = false): string {
  let out = '';
  const stream = { isTTY, write: (text: string) => ((out += text), true) } as unknown as NodeJS.WritableStream & { isTTY: boolean };
  vi.stubEnv('BATON_TTY', '');
  const printer = new WatchPrinter(stream, json);
  for (const event of events) printer.print(event);
  printer.close();
  vi.unstubAllEnvs();
  return out;
}

describe('baton watch output', () => {
  it('writes the agent name, then its text as it arrives on a terminal, with tool calls, hand-offs and restarts between', () => {
    expect(printed(true)).toBe([
      '▸ triage · turn 1',
      '  → lookup {"city":"Lisbon"}',
      '  ← lookup: sunny',
      '  ⇢ hand-off triage → weather',
      '▸ weather · turn 2',
      'weather: Sunny in',
      'Lis',
      "  ↻ weather's answer restarted (attempt 2)",
      'weather: Sunny in',
      'Lisbon.',
      '',
    ].join('\n'));
  });

  it('writes whole lines when not a terminal (the text unchanged), and one JSON line per event with --json', () => {
    const lines = printed(false);
    expect(lines).toContain('weather: Sunny in\nLis\n  ↻');
    expect(lines).toContain('weather: Sunny\x1b]52;c;cm0=\x07 in\nLisbon.\n');
    const json = printed(false, true).trim().split('\n').map((line) => JSON.parse(line) as WatchEvent);
    expect(json).toEqual(events);
  });

  it('baton watch --json follows a streamed run to its end and exits 0', async () => {
    const answer = 'Streamed, piece by piece, to the terminal of whoever watches.';
    const model = new ScriptedModel([{ reply: { text: answer, stream: { intervalMs: 30, chunkChars: 5 } } }]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: { narrator: { provider: 'scripted', model: 'm', stream: true } } });
    const { code, lines } = await baton.run(async () => {
      const handle = await baton.client.startAgent('narrator', 'Go.');
      let out = '';
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
      try {
        const { code } = await captureCli('--address', inject('temporalAddress'), 'watch', handle.workflowId, '--json');
        return { code, lines: out.trim().split('\n').map((line) => JSON.parse(line) as WatchEvent) };
      } finally {
        write.mockRestore();
      }
    });
    expect(code).toBe(0);
    const texts = lines.filter((e) => e.type === 'text');
    expect(texts.length).toBeGreaterThan(2);
    expect(texts.map((e) => (e.type === 'text' ? e.text : '')).join('')).toBe(answer);
    expect(lines[0]).toMatchObject({ type: 'agent-turn', agent: 'narrator', turn: 1 });
    expect(lines.at(-1)).toMatchObject({ type: 'finished', result: { output: answer } });
  });

  it('baton watch of an id with no run says so in one line and exits 1', async () => {
    const { code, stderr } = await captureCli('--address', inject('temporalAddress'), 'watch', 'no-such-run-anywhere');
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('baton: no run with id no-such-run-anywhere');
  });
});
