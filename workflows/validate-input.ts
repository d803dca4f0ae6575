/** Validates workflow inputs in the sandbox, failing the run with the path of the bad field. */
import type { z } from 'zod';
import { FailureType } from '../core/failures';
import { fail } from './failures';

/** Formats zod issues as `path: message`, the form every Baton validation error uses. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Parses with `schema` or fails the run with FailureType.InvalidInput. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) fail(FailureType.InvalidInput, `invalid ${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * An input Baton's client or a parent workflow built from validated specs carries
 * `validated: true` and is used as it is; anything else (a run started with the plain
 * Temporal client, a recorded history) is parsed with `schema()`, loaded only then.
 */
export function trustedOrParsed<T>(input: unknown, schema: () => z.ZodType<T>, what: string): T {
  if (input && typeof input === 'object' && (input as { validated?: unknown }).validated === true) return input as T;
  return parseInput(schema(), input, what) as T;
}
