/** The benchmark's interval for a ratio of medians: a paired bootstrap over its sets, and the goal it is read against. */
import { describe, expect, it } from 'vitest';
import { againstGoal, formatInterval, pairedSets, ratioInterval } from '../bench/interval';

/** Samples around `center` with a fixed pattern of noise (±`noise` as a fraction). */
const noisy = (center: number, noise: number, n: number, phase = 0) => Array.from({ length: n }, (_, i) => center * (1 + noise * Math.sin(i * 1.7 + phase)));

describe('ratioInterval', () => {
  it('is a single point when every set says the same', () => {
    const bare = Array.from({ length: 20 }, (_, i) => 10 + i);
    const same = ratioInterval(pairedSets(bare, bare));
    expect(same).toEqual({ ratio: 1, low: 1, high: 1, sets: 20 });
    const slower = ratioInterval(pairedSets(bare, bare.map((ms) => ms * 1.2)));
    expect(slower.ratio).toBeCloseTo(1.2, 10);
    expect(slower.low).toBeCloseTo(1.2, 10);
    expect(slower.high).toBeCloseTo(1.2, 10);
  });

  it('holds the ratio of the medians and widens with the noise', () => {
    const bare = noisy(10, 0.05, 41);
    const quiet = ratioInterval(pairedSets(bare, noisy(11, 0.05, 41, 1)));
    const loud = ratioInterval(pairedSets(noisy(10, 0.4, 41), noisy(11, 0.4, 41, 1)));
    for (const interval of [quiet, loud]) {
      expect(interval.low).toBeLessThanOrEqual(interval.ratio);
      expect(interval.high).toBeGreaterThanOrEqual(interval.ratio);
    }
    expect(quiet.ratio).toBeGreaterThan(1.05);
    expect(loud.high - loud.low).toBeGreaterThan(3 * (quiet.high - quiet.low));
  });

  it('gives the same interval for the same samples, and draws whole sets', () => {
    const sets = Array.from({ length: 15 }, (_, i) => ({ bare: noisy(12, 0.2, 20, i), baton: noisy(13, 0.2, 20, i + 0.5) }));
    expect(ratioInterval(sets)).toEqual(ratioInterval(sets));
    // Pooled turns: the ratio is of the medians of every turn of every run, as the table prints it.
    const ratio = ratioInterval(sets).ratio;
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length / 2) - 1] as number;
    expect(ratio).toBeCloseTo(median(sets.flatMap((s) => s.baton)) / median(sets.flatMap((s) => s.bare)), 10);
    // A set with a side that measured nothing is left out rather than read as zero.
    expect(ratioInterval([...sets, { bare: [], baton: [5] }]).sets).toBe(15);
  });

  it('pairs by index, up to the shorter side', () => {
    expect(pairedSets([1, 2, 3], [4, 5])).toEqual([
      { bare: [1], baton: [4] },
      { bare: [2], baton: [5] },
    ]);
  });
});

describe('againstGoal', () => {
  const at = (low: number, high: number) => ({ ratio: (low + high) / 2, low, high, sets: 41 });
  it('says met only when the whole interval is within the goal, missed only when none of it is', () => {
    expect(againstGoal(at(0.98, 1.05), 1.05)).toBe('met');
    expect(againstGoal(at(1.02, 1.09), 1.05)).toBe('within noise');
    expect(againstGoal(at(1.06, 1.12), 1.05)).toBe('missed');
    expect(formatInterval(at(1.061, 1.1249))).toBe('1.06–1.12');
  });
});
