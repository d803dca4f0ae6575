/** Checks a final answer against an agent's output schema (JSON Schema, via Ajv). */
import Ajv, { type ValidateFunction } from 'ajv';
import { specHash } from '../core';

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();

function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const key = specHash(schema);
  let validate = validators.get(key);
  if (!validate) {
    const { $schema: _dialect, ...rest } = schema;
    validate = ajv.compile(rest);
    validators.set(key, validate);
  }
  return validate;
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`).join('; ');
}

/**
 * Checks a value against a JSON Schema: undefined when it matches, else the problems.
 * A schema Ajv cannot compile is not checked here (the tool's own server checks it).
 */
export function schemaProblems(value: unknown, schema: Record<string, unknown>): string | undefined {
  let validate: ValidateFunction;
  try {
    validate = validatorFor(schema);
  } catch {
    return undefined;
  }
  return validate(value) ? undefined : describeErrors(validate);
}

/** Models often wrap JSON in a Markdown fence; accept that, nothing looser. */
function extractJson(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(text);
  return (fenced ? fenced[1] : text) as string;
}

/** How deep a structured answer may nest: deeper JSON overflows the stack of whatever walks it next. */
export const maxAnswerNesting = 128;

/** Whether `value` nests deeper than `max` levels, found without recursion. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

export type OutputCheck = { ok: true; output: unknown } | { ok: false; error: string };

/** Parses and validates a final answer; the error text is written for the model to act on. */
export function checkOutput(text: string, schema: Record<string, unknown>): OutputCheck {
  let value: unknown;
  try {
    value = JSON.parse(extractJson(text));
  } catch {
    return { ok: false, error: 'the answer is not valid JSON' };
  }
  if (nestsDeeperThan(value, maxAnswerNesting)) return { ok: false, error: `the answer nests more than ${maxAnswerNesting} levels deep; answer with flatter JSON` };
  const validate = validatorFor(schema);
  if (validate(value)) return { ok: true, output: value };
  return { ok: false, error: describeErrors(validate) };
}
