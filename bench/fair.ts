/** What keeps a Baton-against-bare comparison fair: each side's samples start from the same server state, in turn. */

/**
 * The server keeps a timer per activity timeout and, once the activity has completed, still fires
 * and drops it at its time: 10 s after each call started, with the heartbeat timeout Baton's calls
 * (and the bare baseline's, bench/bare-workflow.ts) have. A row measured right after other runs
 * would pay for their timers; each row waits for them first. BENCH_SETTLE_S (seconds, default 11).
 */
export function settleTimers(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Number(env.BENCH_SETTLE_S ?? 11) * 1000));
}

/** One sample of each side, in turn: bare first in even pairs, Baton first in odd ones (the server's state drifts). */
export async function inTurn<B, T>(pair: number, bare: () => Promise<B>, baton: () => Promise<T>): Promise<[B, T]> {
  if (pair % 2 === 0) {
    const first = await bare();
    return [first, await baton()];
  }
  const first = await baton();
  return [await bare(), first];
}

/** One sample of each side in order, starting at side `set mod n` and wrapping (each side goes first in every n-th set). */
export async function inRotation(set: number, sides: Array<() => Promise<unknown>>): Promise<void> {
  const n = sides.length;
  for (let k = 0; k < n; k++) await (sides[(set + k) % n] as () => Promise<unknown>)();
}
