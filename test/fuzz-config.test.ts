/**
 * Property-based tests of configs: generated configs (near-valid ones with wrong values,
 * prototype names, throwing getters, Proxy objects and revoked proxies; and arbitrary
 * values), as objects and as config files, end in a validated config or a ConfigError
 * naming a path, never a crash or a stack trace.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isProxy } from 'node:util/types';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/define-config';
import { loadConfig } from '../config/load-config';
import { configOutcome, expectClearConfigError, fuzzOptions } from './helpers/fuzz';

const dir = mkdtempSync(path.join(tmpdir(), 'baton-fuzz-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const prototypeNames = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];
const name = fc.constantFrom('writer', 'critic', 'p', 'bad name!', '', ...prototypeNames);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const provider = fc.oneof(
  fc.record({ type: fc.constant('openai-compatible'), baseURL: fc.constantFrom('http://127.0.0.1:9/v1', 'not a url') }),
  fc.record({ type: fc.constantFrom('openai', 'anthropic', 'scripted', 'nope'), apiKeyEnv: maybe(fc.string()) }, { requiredKeys: ['type'] }),
);
const agent = fc.record(
  {
    provider: name,
    model: fc.constantFrom('m', ''),
    tools: maybe(fc.array(fc.constantFrom('search', 'srv__x', ...prototypeNames), { maxLength: 2 })),
    handoffs: maybe(fc.array(name, { maxLength: 2 })),
    limits: maybe(fc.record({ maxTurns: fc.integer({ min: -1, max: 5 }) })),
    approval: maybe(fc.record({ minRisk: fc.constantFrom('low', 'high', 'never', 'extreme') })),
    outputSchema: maybe(fc.jsonValue({ maxDepth: 3 })),
  },
  { requiredKeys: ['provider', 'model'] },
);
/** Configs close to valid, so validation gets past the first level. */
const nearValid = fc.record(
  {
    temporal: maybe(fc.record({ taskQueue: fc.constantFrom('q', ''), uiUrl: maybe(fc.constantFrom('http://localhost:8233', 'nope')) })),
    providers: fc.dictionary(name, provider, { maxKeys: 2 }),
    agents: fc.dictionary(name, agent, { maxKeys: 3 }),
    mcpServers: maybe(fc.dictionary(fc.constantFrom('srv', ...prototypeNames), fc.record({ command: fc.constantFrom('true', '') }), { maxKeys: 1 })),
    worker: maybe(fc.record({ shutdownGraceTime: fc.constantFrom('10s', 'later', 3) })),
    toolCache: maybe(fc.anything({ maxDepth: 1 })),
  },
  { requiredKeys: ['providers', 'agents'] },
);

type Hostile = 'getter' | 'proxy-get' | 'proxy-ownKeys' | 'proxy-descriptor' | 'proxy-prototype' | 'revoked' | 'set';
const mutation = fc.record({ at: fc.nat(), how: fc.constantFrom<Hostile>('getter', 'proxy-get', 'proxy-ownKeys', 'proxy-descriptor', 'proxy-prototype', 'revoked', 'set'), value: fc.anything({ maxDepth: 2 }) });

/** Every object in a value, so a mutation can pick one. */
function objectsOf(root: object): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    found.push(value as Record<string, unknown>);
    stack.push(...Object.values(value));
  }
  return found;
}

const boom = () => {
  throw new Error('boom from a hostile config');
};
function hostile(target: object, how: Hostile, value: unknown): object {
  switch (how) {
    case 'proxy-get': return new Proxy(target, { get: boom });
    case 'proxy-ownKeys': return new Proxy(target, { ownKeys: boom });
    case 'proxy-descriptor': return new Proxy(target, { getOwnPropertyDescriptor: boom });
    case 'proxy-prototype': return new Proxy(target, { getPrototypeOf: boom });
    case 'revoked': {
      const { proxy, revoke } = Proxy.revocable(target, {});
      revoke();
      return proxy;
    }
    default: return value as object;
  }
}

/** Applies mutations: a field replaced by a throwing getter, a hostile Proxy, or any value. */
function mutate(generated: Record<string, unknown>, mutations: Array<{ at: number; how: Hostile; value: unknown }>): unknown {
  // A copy: fast-check maps the same generated value again while shrinking.
  const config = structuredClone(generated);
  const parents = objectsOf(config);
  for (const { at, how, value } of mutations) {
    const parent = parents[at % parents.length] as Record<string, unknown>;
    const keys = Object.keys(parent);
    const key = keys.length ? (keys[at % keys.length] as string) : 'extra';
    if (how === 'getter') Object.defineProperty(parent, key, { get: boom, enumerable: true, configurable: true });
    else if (how === 'set') Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
    else {
      const current = Object.getOwnPropertyDescriptor(parent, key)?.value as unknown;
      let target: object = {};
      try {
        if (typeof current === 'object' && current !== null && !isProxy(current)) target = { ...current };
      } catch {
        // It holds a throwing getter from an earlier mutation: wrap a fresh object.
      }
      Object.defineProperty(parent, key, { value: hostile(target, how, value), enumerable: true, configurable: true, writable: true });
    }
  }
  return config;
}

/**
 * Configs that must validate, so the accepting path is exercised in every draw: near-valid
 * ones are valid too seldom to count on (a clean CI run drew 500 with none).
 */
const valid = fc.record({
  providers: fc.constant({ p: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } }),
  agents: fc.dictionary(
    fc.constantFrom('writer', 'critic', 'planner'),
    fc.record({ provider: fc.constant('p'), model: fc.constantFrom('m', 'gpt-x'), limits: maybe(fc.record({ maxTurns: fc.integer({ min: 1, max: 5 }) })) }, { requiredKeys: ['provider', 'model'] }),
    { minKeys: 1, maxKeys: 3 },
  ),
  worker: maybe(fc.record({ shutdownGraceTime: fc.constantFrom('10s', '1m') })),
});
const noMutations = fc.constant<Array<{ at: number; how: Hostile; value: unknown }>>([]);

/** A config as data plus the mutations to make it hostile, built in the property (fast-check prints the data). */
const configArb = fc.oneof(
  { weight: 1, arbitrary: fc.record({ config: valid, mutations: noMutations }) },
  { weight: 6, arbitrary: fc.record({ config: nearValid, mutations: fc.array(mutation, { maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ config: fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withSparseArray: true, withTypedArray: true, withObjectString: true }), mutations: noMutations }) },
);

describe('config fuzzing', () => {
  it('validates or rejects with a ConfigError naming a path: hostile getters, proxies and any value', () => {
    let accepted = 0;
    fc.assert(fc.property(configArb, ({ config, mutations }) => {
      const raw = mutations.length ? mutate(config as Record<string, unknown>, mutations) : config;
      const outcome = configOutcome(() => validateConfig(raw, 'fuzz'));
      if (outcome.ok) accepted++;
      else expectClearConfigError(outcome.error, 'config');
    }), fuzzOptions);
    expect(accepted).toBeGreaterThan(0);
  });

  it('names the field whose getter throws, and the object behind a throwing Proxy', () => {
    const base = () => ({ providers: { p: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } }, agents: { writer: { provider: 'p', model: 'm' } } as Record<string, unknown> });
    const getter = base();
    Object.defineProperty(getter.agents.writer, 'model', { get: boom, enumerable: true });
    expect(() => validateConfig(getter, 'fuzz')).toThrow('invalid config (fuzz): agents.writer.model: reading it threw "boom from a hostile config"; use plain data (no getters that throw, no Proxy objects)');
    const proxied = base();
    proxied.agents = new Proxy(proxied.agents, { ownKeys: boom });
    expect(() => validateConfig(proxied, 'fuzz')).toThrow('invalid config (fuzz): agents: is a Proxy object; use plain data');
  });
});

describe('config file fuzzing', () => {
  /** A config file's text: its export as JSON, or something broken. */
  const fileArb = fc.oneof(
    nearValid.map((c) => `module.exports = ${JSON.stringify(c)};`),
    nearValid.map((c) => `export default ${JSON.stringify(c)};`),
    fc.jsonValue().map((v) => `module.exports = ${JSON.stringify(v)};`),
    fc.string().map((s) => `export default ${s}`),
    fc.constantFrom(
      'module.exports = null;',
      'throw new Error("config module failed");',
      'module.exports = new Proxy({}, { has() { throw new Error("trap"); } });',
      'Object.defineProperty(module.exports, "default", { enumerable: true, get() { throw new Error("getter"); } });',
      'export default {',
      'import missing from "./no-such-module"; export default missing;',
    ),
  );

  it('loads or rejects generated config files (TypeScript and CommonJS) with a one-line ConfigError', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(fileArb, fc.constantFrom('ts', 'cjs'), async (text, ext) => {
      const file = path.join(dir, `config-${n++}.${ext === 'cjs' && text.startsWith('export') ? 'ts' : ext}`);
      writeFileSync(file, text);
      let outcome;
      try {
        outcome = { ok: true as const, value: await loadConfig(file) };
      } catch (err) {
        outcome = configOutcome(() => {
          throw err;
        });
      }
      if (!outcome.ok) {
        expectClearConfigError(outcome.error, 'config');
        for (const issue of outcome.error.issues) if (issue.path === '(file)') expect(issue.message).not.toContain('\n');
      }
    }), fuzzOptions);
  });
});
