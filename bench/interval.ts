/**
 * How sure a ratio of medians is: a paired bootstrap over the bench's sets. A row's ratio is
 * the median of Baton's samples over the median of bare's; on a 2-core machine a row moves by
 * more than a goal's margin between runs, so the bench prints the interval the ratio would fall
 * in if the same sets were drawn again, and whether the goal is met, missed or within that noise.
 */
import { percentile } from './step-clock';

/** One set: the values each side measured in it (a pattern row's one run, an agent run's turns). */
export interface PairedSet {
  bare: readonly number[];
  baton: readonly number[];
}

export interface RatioInterval {
  /** The ratio of the pooled medians: what the table's ratio column prints. */
  ratio: number;
  low: number;
  high: number;
  /** Sets drawn from: the pairs of the row. */
  sets: number;
}

/** A small seeded generator (mulberry32): the same samples give the same interval in every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pooledMedian = (sets: readonly PairedSet[], side: keyof PairedSet) => percentile(sets.flatMap((s) => s[side]), 50);

/**
 * The ratio of medians (Baton over bare) and its bootstrap percentile interval: `resamples`
 * draws of as many sets as there are, with replacement, each set keeping its two sides together
 * (they ran one after the other on the same server state) and its values together (a run's turns
 * share that run's luck).
 */
export function ratioInterval(sets: readonly PairedSet[], options: { confidence?: number; resamples?: number; seed?: number } = {}): RatioInterval {
  const { confidence = 0.95, resamples = 2000, seed = 1 } = options;
  const usable = sets.filter((s) => s.bare.length > 0 && s.baton.length > 0);
  const ratio = pooledMedian(usable, 'baton') / pooledMedian(usable, 'bare');
  if (usable.length < 2) return { ratio, low: ratio, high: ratio, sets: usable.length };
  const random = seeded(seed);
  const ratios: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const drawn = Array.from({ length: usable.length }, () => usable[Math.floor(random() * usable.length)] as PairedSet);
    ratios.push(pooledMedian(drawn, 'baton') / pooledMedian(drawn, 'bare'));
  }
  const tail = ((1 - confidence) / 2) * 100;
  return { ratio, low: percentile(ratios, tail), high: percentile(ratios, 100 - tail), sets: usable.length };
}

/** Pairs two sides' samples by index (sample i of each ran in the same set). */
export function pairedSets(bare: readonly number[], baton: readonly number[]): PairedSet[] {
  return Array.from({ length: Math.min(bare.length, baton.length) }, (_, i) => ({ bare: [bare[i] as number], baton: [baton[i] as number] }));
}

/** `met` when the whole interval is at or under the goal, `missed` when it is all over, else `within noise`. */
export function againstGoal(interval: RatioInterval, goal: number): 'met' | 'missed' | 'within noise' {
  if (interval.high <= goal) return 'met';
  if (interval.low > goal) return 'missed';
  return 'within noise';
}

/** `0.98–1.12`, the form the tables print. */
export function formatInterval(interval: RatioInterval): string {
  return `${interval.low.toFixed(2)}–${interval.high.toFixed(2)}`;
}

/** The interval and, for a row with a goal, how it stands: `1.01–1.12 · ≤ 1.05: within noise`. */
export function intervalAgainst(interval: RatioInterval, goal?: number): string {
  return `${formatInterval(interval)}${goal === undefined ? '' : ` · ≤ ${goal.toFixed(2)}: ${againstGoal(interval, goal)}`}`;
}
