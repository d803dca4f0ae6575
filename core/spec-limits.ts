/**
 * Limits a workflow spec must stay within, checked iteratively before zod recurses into
 * its steps: a 3,000-deep spec would otherwise overflow the stack (in the client, or in
 * workflow code for a generated one), and a 100,000-branch spec is too big to start
 * (its size is checked against the run-input limit by config/load-spec.ts).
 * Runs in the sandbox: pure and deterministic.
 */

/** How deep steps may nest, how many a spec may hold, and how deep any value in it may nest. */
export const specLimits = { maxStepDepth: 32, maxSteps: 1000, maxNesting: 128 } as const;

/** An issue as zod reports it, so callers format it like any other. */
export interface LimitIssue { path: Array<string | number>; message: string }

/** Keys of a step object that hold child steps: a list, one step, or a record of steps. */
const childSteps: Record<string, 'list' | 'one' | 'record'> = { steps: 'list', branches: 'list', aggregate: 'one', default: 'one', routes: 'record' };

interface Visit { value: unknown; path: Array<string | number>; nesting: number; stepDepth: number; role: 'step' | 'list' | 'record' | 'data' }

const stepsMessage = `the spec has more than ${specLimits.maxSteps} steps; split it, or use a map step over a list of items`;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The first way a raw step tree breaks {@link specLimits}, or undefined; never recurses, never throws. */
export function stepTreeLimitIssue(raw: unknown, path: Array<string | number> = []): LimitIssue | undefined {
  const stack: Visit[] = [{ value: raw, path, nesting: 1, stepDepth: 1, role: 'step' }];
  let steps = 0;
  let values = 0;
  try {
    while (stack.length) {
      const { value, path: at, nesting, stepDepth, role } = stack.pop() as Visit;
      if (!isObject(value)) continue;
      if (++values > specLimits.maxSteps * 200) return { path: at, message: `the spec holds over ${specLimits.maxSteps * 200} objects and lists; keep it smaller` };
      if (nesting > specLimits.maxNesting) return { path: at, message: `values nest more than ${specLimits.maxNesting} levels deep` };
      if (role === 'step') {
        if (stepDepth > specLimits.maxStepDepth) return { path: at, message: `steps nest more than ${specLimits.maxStepDepth} levels deep; flatten the workflow (e.g. one sequence instead of nested ones)` };
        if (++steps > specLimits.maxSteps) return { path: at, message: stepsMessage };
      }
      const keys: Array<string | number> = Array.isArray(value) ? [] : Object.keys(value);
      const count = Array.isArray(value) ? value.length : keys.length;
      // A list of 100,000 branches is refused here, before its items are even looked at.
      if ((role === 'list' || role === 'record') && steps + count > specLimits.maxSteps) return { path: [...at, Array.isArray(value) ? specLimits.maxSteps - steps : (keys[specLimits.maxSteps - steps] as string)], message: stepsMessage };
      if (count > specLimits.maxSteps * 200) return { path: at, message: `holds over ${specLimits.maxSteps * 200} values; keep the spec smaller` };
      // Pushed in reverse, so the stack visits them in order and reports the first step over a limit.
      for (let i = count - 1; i >= 0; i--) {
        const key = Array.isArray(value) ? i : (keys[i] as string);
        const childRole: Visit['role'] =
          role === 'list' || role === 'record' ? 'step'
            : role === 'step' && typeof key === 'string' && Object.hasOwn(childSteps, key) ? (childSteps[key] === 'one' ? 'step' : (childSteps[key] as 'list' | 'record'))
              : 'data';
        const child: unknown = (value as Record<string | number, unknown>)[key];
        if (isObject(child)) stack.push({ value: child, path: [...at, key], nesting: nesting + 1, stepDepth: childRole === 'step' && role !== 'data' ? stepDepth + 1 : stepDepth, role: childRole });
      }
    }
  } catch (err) {
    return { path, message: `could not be read: ${err instanceof Error ? err.message : String(err)}; a spec must be plain data` };
  }
  return undefined;
}
