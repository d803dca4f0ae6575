/** Wall-clock timestamps of each model step, per run, taken in the worker (not workflow time). */
const steps = new Map<string, number[]>();

export function recordStep(runKey: string): void {
  const list = steps.get(runKey) ?? [];
  list.push(performance.now());
  steps.set(runKey, list);
}

/** Durations between consecutive model steps of a run: one per agent turn. */
export function turnDurations(runKey: string): number[] {
  const list = steps.get(runKey) ?? [];
  return list.slice(1).map((t, i) => t - (list[i] as number));
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
