/** Validates workflow inputs in the sandbox, failing the run with the path of the bad field. */
import type { z } from 'zod';
import { FailureType } from '../core';
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
