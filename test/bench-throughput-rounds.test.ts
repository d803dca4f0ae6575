import { describe, expect, it } from 'vitest';
import { median, roundsHeader, roundsRow } from '../bench/throughput-rounds';

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even one, in any order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([7])).toBe(7);
  });

  it('refuses an empty list instead of returning NaN', () => {
    expect(() => median([])).toThrow('median of no values');
  });
});

describe('roundsRow', () => {
  it('prints median runs/s per side, the ratio of the medians, each round in order and median worker CPU', () => {
    const row = roundsRow(50, [
      { bare: { perSecond: 50, cpuPerRun: 10 }, baton: { perSecond: 48.5, cpuPerRun: 11 } },
      { bare: { perSecond: 40, cpuPerRun: 12 }, baton: { perSecond: 41.2, cpuPerRun: 13 } },
    ]);
    expect(row).toBe('| 50 | 45.0 | 44.9 | 1.00 | 0.97, 1.03 | 11.0 ms / 12.0 ms |');
    expect(row.split('|')).toHaveLength((roundsHeader[0] as string).split('|').length);
  });

  it('gives one round its own figures', () => {
    expect(roundsRow(1, [{ bare: { perSecond: 20, cpuPerRun: 15 }, baton: { perSecond: 18, cpuPerRun: 17.25 } }])).toBe('| 1 | 20.0 | 18.0 | 0.90 | 0.90 | 15.0 ms / 17.3 ms |');
  });
});
