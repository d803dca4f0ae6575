/**
 * The throughput table from several rounds per side (BENCH_THROUGHPUT_ROUNDS): medians, so one
 * slow round does not decide a row, and each round's own ratio, so the spread shows.
 */

/** One measurement of one side: runs completed per second and the worker's CPU ms per run. */
export interface ThroughputSample {
  perSecond: number;
  cpuPerRun: number;
}

/** One round of a row: a measurement of each side. */
export interface ThroughputRound {
  bare: ThroughputSample;
  baton: ThroughputSample;
}

/** The median of `values`: the middle one, or the mean of the middle two for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] as number) + upper) / 2;
}

/** The table's header lines, matching {@link roundsRow}. */
export const roundsHeader = [
  '| runs in flight | bare Temporal runs/s | Baton runs/s | ratio | ratio per round | worker CPU per run, bare / Baton |',
  '|---|---|---|---|---|---|',
];

/** A row: median runs/s per side, the ratio of the medians (Baton / bare), each round's ratio, median worker CPU per run. */
export function roundsRow(inFlight: number, rounds: readonly ThroughputRound[]): string {
  const of = (side: keyof ThroughputRound, measure: keyof ThroughputSample) => median(rounds.map((round) => round[side][measure]));
  const bare = of('bare', 'perSecond');
  const baton = of('baton', 'perSecond');
  const perRound = rounds.map((round) => (round.baton.perSecond / round.bare.perSecond).toFixed(2)).join(', ');
  return `| ${inFlight} | ${bare.toFixed(1)} | ${baton.toFixed(1)} | ${(baton / bare).toFixed(2)} | ${perRound} | ${of('bare', 'cpuPerRun').toFixed(1)} ms / ${of('baton', 'cpuPerRun').toFixed(1)} ms |`;
}
