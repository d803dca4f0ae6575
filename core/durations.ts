/** Durations as Temporal accepts them: milliseconds or strings such as '30s', '5m'. */
import { z } from 'zod';

export const DurationSchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'expected a duration such as "500ms", "30s", "5m" or "1h"'),
]);
export type Duration = z.infer<typeof DurationSchema>;

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Converts a validated duration to milliseconds. */
export function durationToMs(duration: Duration): number {
  if (typeof duration === 'number') return duration;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(duration);
  if (!match) throw new TypeError(`not a duration: ${duration}`);
  return Number(match[1]) * (unitMs[match[2] as string] as number);
}
