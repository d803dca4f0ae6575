/** Builds a resolved workflow spec from step data and the test config, as `baton run --spec` does. */
import { resolveWorkflowSpec } from '../../config/load-spec';
import type { WorkflowSpec } from '../../core';
import type { TestBaton } from './baton';

export function specFor(baton: TestBaton, name: string, steps: unknown, agents: Record<string, unknown> = {}): WorkflowSpec {
  return resolveWorkflowSpec({ name, steps, agents }, baton.config, name);
}
