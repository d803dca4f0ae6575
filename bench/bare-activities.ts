/** No-op activities for the baseline; they record when each model step starts, as Baton's do. */
import { recordStep } from './step-clock';

export async function bareModel(runKey: string, turn: number): Promise<{ turn: number }> {
  recordStep(runKey);
  return { turn };
}

export async function bareTool(_runKey: string, turn: number): Promise<{ ok: true; turn: number }> {
  return { ok: true, turn };
}
