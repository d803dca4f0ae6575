/**
 * Property-based tests of a defineTool tool's argument parsing: arbitrary JSON from a
 * model (prototype keys included, as JSON.parse makes them) and arbitrary values give
 * either the parsed arguments or the invalid-arguments error text, never an exception,
 * and never pollute Object.prototype.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities/tools/define-tool';
import { fuzzOptions, stackFrame } from './helpers/fuzz';

const tools = [
  defineTool({ name: 'add', description: 'Adds', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b }),
  defineTool({
    name: 'book',
    description: 'Books a trip',
    input: z.object({ city: z.string().min(1), nights: z.number().int().positive().max(30), guests: z.array(z.object({ name: z.string(), age: z.number().optional() })).max(5), options: z.record(z.string(), z.boolean()).optional() }).strict(),
    execute: () => 'booked',
  }),
  defineTool({ name: 'tag', description: 'Tags', input: z.object({ tags: z.array(z.enum(['a', 'b'])), note: z.union([z.string(), z.null()]).default(null) }), execute: () => 'ok' }),
];

const prototypeKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];
/** JSON text with prototype keys at any level, parsed the way a model's arguments are. */
const hostileJson = fc
  .tuple(fc.jsonValue({ maxDepth: 4 }), fc.array(fc.tuple(fc.constantFrom(...prototypeKeys), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 }))
  .map(([value, extras]) => {
    const body = extras.map(([key, extra]) => `${JSON.stringify(key)}:${JSON.stringify(extra)}`).join(',');
    const json = value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value).replace(/^\{/, () => `{${body}${Object.keys(value).length && body ? ',' : ''}`) : JSON.stringify(value);
    return JSON.parse(json) as unknown;
  });
/** Arguments some tool accepts, so every run of the property exercises the success path too. */
const validArgs = fc.oneof(
  fc.record({ a: fc.double({ noNaN: true, noDefaultInfinity: true }), b: fc.integer() }),
  fc.record({ tags: fc.array(fc.constantFrom('a', 'b'), { maxLength: 4 }) }),
  fc.record({ city: fc.string({ minLength: 1 }), nights: fc.integer({ min: 1, max: 30 }), guests: fc.array(fc.record({ name: fc.string() }), { maxLength: 5 }) }),
);
const argumentsArb = fc.oneof(
  validArgs,
  hostileJson,
  fc.record({ a: fc.oneof(fc.double(), fc.string(), fc.constant(null)), b: fc.oneof(fc.integer(), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.record({ city: fc.string(), nights: fc.oneof(fc.integer({ min: -2, max: 40 }), fc.double()), guests: fc.array(fc.record({ name: fc.string(), age: fc.jsonValue() }), { maxLength: 7 }), options: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...prototypeKeys)), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.string(),
  fc.anything({ withNullPrototype: true, withBoxedValues: true, withSparseArray: true, withObjectString: true }),
);

describe('tool argument fuzzing', () => {
  it('parses or returns an invalid-arguments message for arbitrary JSON, prototype keys included', () => {
    const counts = { ok: 0, invalid: 0 };
    fc.assert(fc.property(fc.constantFrom(...tools), argumentsArb, (tool, args) => {
      const result = tool.parseArguments(args);
      if (result.ok) {
        counts.ok++;
        // What passed is what the schema accepts: parsing it again gives the same value.
        expect(tool.parseArguments(result.value)).toEqual({ ok: true, value: result.value });
      } else {
        counts.invalid++;
        expect(typeof result.error).toBe('string');
        expect(result.error.length).toBeGreaterThan(0);
        expect(result.error).not.toMatch(stackFrame);
        expect(result.error.length).toBeLessThan(20_000);
      }
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(objectPrototypeNames);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }), fuzzOptions);
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.invalid).toBeGreaterThan(0);
  });

  it('names the bad field of a prototype-key argument and never takes a prototype from it', () => {
    const book = tools[1] as (typeof tools)[number];
    const args = JSON.parse('{"city":"Oslo","nights":2,"guests":[],"__proto__":{"polluted":true}}') as unknown;
    expect(book.parseArguments(args)).toEqual({ ok: false, error: '(root): Unrecognized key: "__proto__"' });
    const add = tools[0] as (typeof tools)[number];
    const parsed = add.parseArguments(JSON.parse('{"a":1,"b":2,"constructor":{"prototype":{"polluted":true}}}'));
    expect(parsed).toEqual({ ok: true, value: { a: 1, b: 2 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

const objectPrototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
