/** What the fuzz suites share: the case count, and how an outcome is judged. */
import { expect } from 'vitest';
import { ConfigError } from '../../config/define-config';

/** Generated cases per property (at least 500; FUZZ_RUNS raises it for a longer hunt). */
export const fuzzRuns = Math.max(500, Number(process.env.FUZZ_RUNS ?? 500));

/** fast-check settings: the case count, and the seed printed with any counterexample. */
export const fuzzOptions = { numRuns: fuzzRuns } as const;

/** A stack frame as V8 prints it (`    at fn (file:1:2)`): no error a user sees may contain one. */
export const stackFrame = /\n\s+at .+:\d+:\d+/;

/** Runs `fn`: its value, or the ConfigError it threw; anything else thrown is rethrown as a crash. */
export function configOutcome<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: ConfigError } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, error: err };
    throw new Error(`crash: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
  }
}

/** A clear error: at least one issue, each with a path and a message, and no stack trace in what is printed. */
export function expectClearConfigError(error: ConfigError, subject: ConfigError['subject']): void {
  expect(error.subject).toBe(subject);
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) {
    expect(typeof issue.path === 'string' && issue.path.length > 0, `path of ${JSON.stringify(issue)}`).toBe(true);
    expect(typeof issue.message === 'string' && issue.message.length > 0, `message of ${JSON.stringify(issue)}`).toBe(true);
  }
  expect(error.message).not.toMatch(stackFrame);
}

/** The value at a ConfigError path such as `steps.steps[1].agent` inside `raw`. */
export function valueAt(raw: unknown, path: string): unknown {
  const keys = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : (m[1] as string)));
  return keys.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string | number, unknown>)[key] : undefined), raw);
}
