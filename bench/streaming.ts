/**
 * `npm run bench:streaming`: live streaming of model output, measured end to end through a
 * real worker and the dev server. An OpenAI-compatible wire fake streams an answer at a fixed
 * token rate; a watcher (`BatonClient.watch`) reads it. Reports the time from the fake writing
 * the first token to the watcher seeing it (median and p90; goal under 300 ms), the lag of
 * every later piece, and the history bytes of a streamed run against the same run unstreamed
 * (goal within 1.2x). BENCH_STREAM_RUNS (default 10), BENCH_STREAM_TOKEN_MS (default 20, i.e.
 * 50 tokens a second), BENCH_STREAM_TOKENS (default 200, 4 characters each).
 */
import { temporal } from '@temporalio/proto';
import type { BatonConfigInput } from '../config/define-config';
import { createBatonTestEnv, openaiText, openaiTextStream, quietTemporalLogs, startWireServer, stopTestServer, type BatonTestEnv } from '../testing';

const runs = Number(process.env.BENCH_STREAM_RUNS ?? 10);
const tokenMs = Number(process.env.BENCH_STREAM_TOKEN_MS ?? 20);
const tokenCount = Number(process.env.BENCH_STREAM_TOKENS ?? 200);
const chunkChars = 4;
const answer = Array.from({ length: tokenCount }, (_, i) => `w${String(i % 100).padStart(2, '0')} `).join('');
const tokens = { input: 40, output: tokenCount };

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

async function historyBytes(env: BatonTestEnv, workflowId: string): Promise<{ bytes: number; events: number }> {
  const history = await env.client.temporal.workflow.getHandle(workflowId).fetchHistory();
  return { bytes: temporal.api.history.v1.History.encode(history).finish().length, events: history.events?.length ?? 0 };
}

async function main(): Promise<void> {
  quietTemporalLogs();
  const wire = await startWireServer('/v1');
  const envFor = (stream: boolean) =>
    createBatonTestEnv({
      config: {
        providers: { local: { type: 'openai-compatible', baseURL: wire.baseURL, ...(stream ? { stream } : {}) } as BatonConfigInput['providers'][string] },
        agents: { narrator: { provider: 'local', model: 'm', instructions: 'Tell a long story.' } },
      },
      taskQueuePrefix: 'bench-stream',
    });
  const live = await envFor(true);
  const still = await envFor(false);
  live.startWorker();
  still.startWorker();
  const firstToken: number[] = [];
  const lags: number[] = [];
  const streamedHistory: Array<{ bytes: number; events: number }> = [];
  const plainHistory: Array<{ bytes: number; events: number }> = [];
  try {
    for (let run = 0; run < runs; run++) {
      // Event 0 is the role chunk; event i (i >= 1) carries characters (i-1)*4 .. i*4-1.
      const sentAt: number[] = [];
      wire.push(openaiTextStream(answer, { intervalMs: tokenMs, chunkChars, tokens, onEvent: (i, at) => (sentAt[i] = at) }));
      const handle = await live.client.startAgent('narrator', 'Tell me a story.');
      let seen = 0;
      for await (const event of live.client.watch(handle.workflowId)) {
        if (event.type !== 'text') continue;
        const now = Date.now();
        if (seen === 0) firstToken.push(now - (sentAt[1] ?? now));
        seen += event.text.length;
        // The lag of the last character of this piece behind the fake writing it.
        const sent = sentAt[1 + Math.floor((seen - 1) / chunkChars)];
        if (sent !== undefined) lags.push(now - sent);
      }
      const result = await handle.result();
      if (result.output !== answer) throw new Error(`run ${run}: the streamed answer differs from the fake's`);
      streamedHistory.push(await historyBytes(live, handle.workflowId));

      wire.push(openaiText(answer, tokens));
      const plain = await still.client.startAgent('narrator', 'Tell me a story.');
      await plain.result();
      plainHistory.push(await historyBytes(still, plain.workflowId));
    }
  } finally {
    await live.close();
    await still.close();
    await wire.close();
    await stopTestServer();
  }
  const median = (rows: Array<{ bytes: number }>) => quantile(rows.map((r) => r.bytes), 0.5);
  const report = {
    runs,
    tokenMs,
    tokens: tokenCount,
    firstTokenMs: { median: quantile(firstToken, 0.5), p90: quantile(firstToken, 0.9), goal: 300 },
    pieceLagMs: { median: quantile(lags, 0.5), p90: quantile(lags, 0.9) },
    historyBytes: { streamed: median(streamedHistory), unstreamed: median(plainHistory), ratio: Number((median(streamedHistory) / median(plainHistory)).toFixed(3)), goal: 1.2 },
    historyEvents: { streamed: streamedHistory[0]?.events, unstreamed: plainHistory[0]?.events },
  };
  console.log(`first token → watcher: median ${report.firstTokenMs.median} ms, p90 ${report.firstTokenMs.p90} ms (goal < 300 ms; ${runs} runs, a token every ${tokenMs} ms)`);
  console.log(`every piece → watcher: median lag ${report.pieceLagMs.median} ms, p90 ${report.pieceLagMs.p90} ms`);
  console.log(`history: streamed ${report.historyBytes.streamed} B / unstreamed ${report.historyBytes.unstreamed} B = ${report.historyBytes.ratio}x (goal ≤ 1.2x); events ${report.historyEvents.streamed} vs ${report.historyEvents.unstreamed}`);
  console.log(JSON.stringify(report));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
