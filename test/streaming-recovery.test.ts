/**
 * kill -9 of the worker while a model call streams: the call is retried by a new worker
 * process, the watcher sees the stream restart (attempt 2) and then the whole answer, and
 * the run's result equals the same run unstreamed.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BatonClient } from '../client/baton-client';
import type { WatchEvent } from '../client/watch';
import { loadConfig } from '../config/load-config';
import { openaiText, openaiTextStream, startWireServer } from '../testing';
import { startCliWorker } from './helpers/cli';
import { closeTestEnv, getTestEnv, uniqueTaskQueue } from './helpers/temporal';

const configPath = path.join(__dirname, 'fixtures/streaming/config.ts');
const workers: ChildProcess[] = [];

afterEach(() => workers.splice(0).forEach((w) => w.kill('SIGKILL')));
afterAll(closeTestEnv);

const answer = 'A durable stream: when the worker dies in the middle of an answer, the answer starts again on another worker.';
const tokens = { input: 18, output: 24 };

describe('streaming through a worker crash', () => {
  it('restarts the stream on a new worker after kill -9, shows the whole answer, and ends with the unstreamed result', async () => {
    const wire = await startWireServer('/v1');
    process.env.STREAM_WIRE_URL = wire.baseURL;
    try {
      // The first attempt streams slowly (the worker dies in it); the retry streams quickly.
      wire.push(openaiTextStream(answer, { intervalMs: 150, tokens }), openaiTextStream(answer, { intervalMs: 10, tokens }), openaiText(answer, tokens));
      const queue = uniqueTaskQueue('stream-crash');
      const first = await startCliWorker(configPath, queue);
      workers.push(first);
      const env = await getTestEnv();
      const baton = new BatonClient(env.client, await loadConfig(configPath), { namespace: env.namespace ?? 'default' });
      const handle = await baton.startAgent('narrator', 'Tell me.', { taskQueue: queue });

      const events: WatchEvent[] = [];
      let second: Promise<ChildProcess> | undefined;
      for await (const event of baton.watch(handle.workflowId)) {
        events.push(event);
        if (!second && events.filter((e) => e.type === 'text').length >= 3) {
          first.kill('SIGKILL');
          second = startCliWorker(configPath, queue);
          void second.then((w) => workers.push(w));
        }
      }
      const restartAt = events.findIndex((e) => e.type === 'stream-restarted');
      expect(restartAt).toBeGreaterThan(0);
      expect(events[restartAt]).toMatchObject({ type: 'stream-restarted', agent: 'narrator', attempt: 2, reason: 'retry' });
      const text = (from: number, to: number) => events.slice(from, to).map((e) => (e.type === 'text' ? e.text : '')).join('');
      const before = text(0, restartAt);
      expect(before.length).toBeGreaterThan(0);
      expect(answer.startsWith(before) && before.length < answer.length).toBe(true);
      expect(text(restartAt + 1, events.length)).toBe(answer);
      expect(events.at(-1)).toMatchObject({ type: 'finished', result: { output: answer } });

      const streamed = await handle.result();
      const plain = await (await baton.startAgent('quiet', 'Tell me.', { taskQueue: queue })).result();
      expect(streamed.output).toBe(plain.output);
      expect(streamed.turns).toBe(plain.turns);
      expect({ ...streamed.usage, latencyMs: 0 }).toEqual({ ...plain.usage, latencyMs: 0 });
      const withoutAgent = (m: object) => ({ ...m, agent: undefined });
      expect(streamed.messages.map(withoutAgent)).toEqual(plain.messages.map(withoutAgent));
      expect(wire.requests.map((r) => r.body.stream ?? false)).toEqual([true, true, false]);
    } finally {
      await wire.close();
    }
  }, 180_000);
});
