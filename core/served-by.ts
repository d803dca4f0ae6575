/** Words for a model step a fallback answered (zod-free: used by workflows). */
import type { StepRecord } from './run';

/** ` (served by p/m)` when a fallback answered a model step, else '': one wording for the Web UI and the CLI. */
export function servedByNote(step: StepRecord): string {
  return step.servedBy && step.servedBy !== step.name ? ` (served by ${step.servedBy})` : '';
}
