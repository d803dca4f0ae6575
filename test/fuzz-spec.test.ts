/**
 * Property-based tests of workflow specs: generated step trees (valid and broken, with
 * prototype names), as objects and as YAML/JSON files, end in a resolved spec or a clear
 * ConfigError, never a crash, a hang or a stack trace. Deep and huge specs are refused fast.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { defineTool } from '../activities/tools/define-tool';
import { validateConfig } from '../config/define-config';
import { loadWorkflowSpec, resolveWorkflowSpec } from '../config/load-spec';
import { defaultMaxInputBytes } from '../client/baton-client';
import { specLimits } from '../core/spec-limits';
import { configOutcome, expectClearConfigError, fuzzOptions, valueAt } from './helpers/fuzz';

const config = validateConfig({
  providers: { p: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } },
  agents: { writer: { provider: 'p', model: 'm', tools: ['search'] }, critic: { provider: 'p', model: 'm' } },
  tools: [defineTool({ name: 'search', description: 'Searches', input: z.object({ q: z.string() }), execute: () => [] })],
});
const dir = mkdtempSync(path.join(tmpdir(), 'baton-fuzz-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const prototypeNames = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];
const agentName = fc.constantFrom('writer', 'critic', 'ghost', 'helper', 'bad name!', '', ...prototypeNames);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Step trees of every kind, mostly well-formed, with wrong values and junk mixed in. */
const { step } = fc.letrec<{ step: unknown }>((tie) => ({
  step: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('agent'), agent: agentName, input: maybe(fc.string()), as: maybe(fc.constantFrom('a', 'b', '1x')) }, { requiredKeys: ['kind', 'agent'] }),
    fc.record({ kind: fc.constant('sequence'), steps: fc.array(tie('step'), { maxLength: 4 }) }),
    fc.record({ kind: fc.constant('parallel'), branches: fc.array(tie('step'), { maxLength: 4 }), concurrency: maybe(fc.integer({ min: -1, max: 5 })), aggregate: maybe(tie('step')) }, { requiredKeys: ['kind', 'branches'] }),
    fc.record({ kind: fc.constant('route'), classifier: maybe(agentName), field: maybe(fc.constantFrom('ticket.queue', '')), routes: fc.dictionary(fc.constantFrom('billing', 'tech', ...prototypeNames), tie('step'), { maxKeys: 3 }), default: maybe(tie('step')) }, { requiredKeys: ['kind', 'routes'] }),
    fc.record({ kind: fc.constant('map'), over: fc.constantFrom('steps.plan.structured.items', 'items'), agent: maybe(agentName), aggregate: maybe(tie('step')) }, { requiredKeys: ['kind', 'over'] }),
    fc.record({ kind: fc.constant('loop'), generator: agentName, evaluator: agentName, maxIterations: maybe(fc.integer({ min: -1, max: 60 })) }, { requiredKeys: ['kind', 'generator', 'evaluator'] }),
    fc.record({ kind: fc.constant('approval'), message: fc.string(), timeout: maybe(fc.constantFrom('10s', 'soon', 5, -1)) }, { requiredKeys: ['kind', 'message'] }),
    fc.record({ kind: fc.constant('generate'), planner: agentName }),
    fc.record({ kind: fc.constant('tools'), plan: fc.record({ steps: fc.array(fc.record({ id: fc.constantFrom('a', 'b', '1x', 'constructor'), tool: fc.constantFrom('search', 'missing', ...prototypeNames), args: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 2 }) }), { maxLength: 3 }) }) }),
    fc.anything({ maxDepth: 2 }),
  ),
}));
const inlineAgent = fc.record({ provider: fc.constantFrom('p', 'nowhere', 'constructor'), model: fc.constantFrom('m', ''), tools: maybe(fc.array(fc.constantFrom('search', 'missing'), { maxLength: 2 })) }, { requiredKeys: ['provider', 'model'] });
const specArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ name: fc.constantFrom('flow', 'bad name', ''), description: maybe(fc.string()), steps: step, agents: maybe(fc.dictionary(agentName, inlineAgent, { maxKeys: 2 })) }, { requiredKeys: ['name', 'steps'] }) },
  { weight: 1, arbitrary: fc.anything() },
);

/** Every agent name the raw spec's steps hold at the path an unknown-agent issue names. */
function checkOutcome(raw: unknown, run: () => unknown): void {
  const outcome = configOutcome(run);
  if (outcome.ok) {
    expect(Buffer.byteLength(JSON.stringify(outcome.value))).toBeLessThanOrEqual(defaultMaxInputBytes);
    return;
  }
  expectClearConfigError(outcome.error, 'workflow spec');
  for (const issue of outcome.error.issues) {
    const name = /^unknown agent "(.*?)"/.exec(issue.message)?.[1];
    if (name !== undefined) expect(valueAt(raw, issue.path), issue.path).toBe(name);
  }
}

describe('workflow spec fuzzing', () => {
  it('resolves or rejects with a ConfigError naming the bad path, for generated spec objects', () => {
    fc.assert(fc.property(specArb, (raw) => checkOutcome(raw, () => resolveWorkflowSpec(raw, config, 'fuzz'))), fuzzOptions);
  });

  it('loads or rejects generated YAML and JSON files, also corrupted ones', () => {
    let n = 0;
    const file = fc.record({ raw: specArb, format: fc.constantFrom('yaml', 'json'), cut: fc.nat(), noise: fc.option(fc.string({ unit: 'binary-ascii', maxLength: 8 })) });
    fc.assert(fc.property(file, ({ raw, format, cut, noise }) => {
      let text: string;
      try {
        text = (format === 'json' ? JSON.stringify(raw) : toYaml(raw)) ?? '';
      } catch {
        text = String(noise ?? '');
      }
      if (noise !== null) text = `${text.slice(0, cut % (text.length + 1))}${noise}${text.slice(cut % (text.length + 1))}`;
      const at = path.join(dir, `spec-${n++}.${format}`);
      writeFileSync(at, text);
      const outcome = configOutcome(() => loadWorkflowSpec(at, config));
      if (!outcome.ok) {
        expectClearConfigError(outcome.error, 'workflow spec');
        for (const issue of outcome.error.issues) if (issue.path === '(file)') expect(issue.message).not.toContain('\n');
      }
    }), fuzzOptions);
  });

  it('names the step of an unknown agent, not just "steps"', () => {
    const raw = { name: 'f', steps: { kind: 'sequence', steps: [{ kind: 'agent', agent: 'writer' }, { kind: 'agent', agent: 'ghost' }, { kind: 'route', classifier: 'nobody', routes: { x: { kind: 'agent', agent: 'critic' } } }] } };
    const outcome = configOutcome(() => resolveWorkflowSpec(raw, config, 'flow.yaml'));
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.message).toBe('invalid workflow spec flow.yaml:\n  - steps.steps[1].agent: unknown agent "ghost"; configured agents: writer, critic\n  - steps.steps[2].classifier: unknown agent "nobody"; configured agents: writer, critic');
  });
});

describe('workflow spec limits', () => {
  const deepSpec = (depth: number) => {
    let steps: unknown = { kind: 'agent', agent: 'writer' };
    for (let i = 0; i < depth; i++) steps = { kind: 'sequence', steps: [steps] };
    return { name: 'deep', steps };
  };
  const wideSpec = (branches: number) => ({ name: 'wide', steps: { kind: 'parallel', branches: Array.from({ length: branches }, () => ({ kind: 'agent', agent: 'writer' })) } });
  const timed = (fn: () => unknown) => {
    const start = performance.now();
    const outcome = configOutcome(fn);
    return { outcome, ms: performance.now() - start };
  };
  /** A blow-up (an alias bomb expanded, checks quadratic in 100,000 branches) takes minutes; a refusal takes well under a second idle. Room for a loaded machine. */
  const promptlyMs = 10_000;

  it(`refuses steps nested ${specLimits.maxStepDepth + 1} deep and more (3,000 deep as an object, flow YAML and JSON; 300 deep in block YAML) within seconds`, () => {
    expect(configOutcome(() => resolveWorkflowSpec(deepSpec(specLimits.maxStepDepth - 1), config)).ok).toBe(true);
    const deep = deepSpec(3000);
    let flow = '{ kind: agent, agent: writer }';
    for (let i = 0; i < 3000; i++) flow = `{ kind: sequence, steps: [${flow}] }`;
    writeFileSync(path.join(dir, 'deep.yaml'), `name: deep\nsteps: ${flow}\n`);
    // Block style indents every level (3,000 levels would be an 18 MB file): 300 levels.
    const block = Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}- kind: sequence\n${'  '.repeat(i)}  steps:\n`).join('');
    writeFileSync(path.join(dir, 'deep-block.yaml'), `name: deep\nsteps:\n  kind: sequence\n  steps:\n${block.replace(/^/gm, '  ')}  ${'  '.repeat(300)}- { kind: agent, agent: writer }\n`);
    let json = '{"kind":"agent","agent":"writer"}';
    for (let i = 0; i < 3000; i++) json = `{"kind":"sequence","steps":[${json}]}`;
    writeFileSync(path.join(dir, 'deep.json'), `{"name":"deep","steps":${json}}`);
    const cases = [
      () => resolveWorkflowSpec(deepSpec(specLimits.maxStepDepth), config),
      () => resolveWorkflowSpec(deep, config),
      ...['deep.yaml', 'deep-block.yaml', 'deep.json'].map((f) => () => loadWorkflowSpec(path.join(dir, f), config)),
    ];
    for (const run of cases) {
      const { outcome, ms } = timed(run);
      expect(ms).toBeLessThan(promptlyMs);
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.message).toMatch(/nest (more than 32 levels deep|at most 32 levels)/);
    }
  });

  it('refuses 100,000 branches (object, YAML and JSON file) within seconds, naming the first step over the limit', () => {
    const wide = wideSpec(100_000);
    writeFileSync(path.join(dir, 'wide.json'), JSON.stringify(wide));
    writeFileSync(path.join(dir, 'wide.yaml'), toYaml(wide));
    let { outcome, ms } = timed(() => resolveWorkflowSpec(wide, config));
    expect(ms).toBeLessThan(promptlyMs);
    expect(!outcome.ok && outcome.error.issues).toEqual([{ path: `steps.branches[${specLimits.maxSteps - 1}]`, message: `the spec has more than ${specLimits.maxSteps} steps; split it, or use a map step over a list of items` }]);
    for (const f of ['wide.json', 'wide.yaml']) {
      ({ outcome, ms } = timed(() => loadWorkflowSpec(path.join(dir, f), config)));
      expect(ms).toBeLessThan(promptlyMs);
      expect(!outcome.ok && outcome.error.issues[0]?.message).toMatch(/^the file is \d+\.\d MiB; a spec file may be at most 1\.5 MiB, the size of a run's input \(temporal\.maxInputBytes\)$/);
    }
    expect(configOutcome(() => resolveWorkflowSpec(wideSpec(specLimits.maxSteps - 1), config)).ok).toBe(true);
  });

  it('refuses a YAML alias bomb (10^11 branches from 1 KB) before it expands', () => {
    const lines = ['a0: &a0 [{ kind: agent, agent: writer }]'];
    for (let i = 1; i < 12; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    const file = path.join(dir, 'bomb.yaml');
    writeFileSync(file, `name: bomb\nx:\n${lines.map((l) => `  ${l}`).join('\n')}\nsteps: { kind: parallel, branches: *a11 }\n`);
    const { outcome, ms } = timed(() => loadWorkflowSpec(file, config));
    expect(ms).toBeLessThan(promptlyMs);
    expect(!outcome.ok && outcome.error.issues).toEqual([{ path: '(file)', message: 'Excessive alias count indicates a resource exhaustion attack' }]);
  });

  it('refuses a resolved spec over the run-input size, and values nested too deep inside a step', () => {
    const big = { name: 'big', steps: { kind: 'parallel', branches: Array.from({ length: 60 }, (_, i) => ({ kind: 'agent', agent: `a${i}` })) }, agents: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`a${i}`, { provider: 'p', model: 'm', instructions: 'x'.repeat(30_000) }])) };
    const outcome = configOutcome(() => resolveWorkflowSpec(big, config));
    expect(!outcome.ok && outcome.error.issues[0]).toEqual({ path: '(root)', message: expect.stringMatching(/^the resolved spec \(steps, agents and tools\) is 1\.7 MiB, over the 1\.5 MiB a run's input may be \(temporal\.maxInputBytes\)/) });
    let args: unknown = 'x';
    for (let i = 0; i < 3000; i++) args = { a: args };
    const nested = configOutcome(() => resolveWorkflowSpec({ name: 'n', steps: { kind: 'tools', plan: { steps: [{ id: 'a', tool: 'search', args }] } } }, config));
    expect(!nested.ok && nested.error.issues[0]?.message).toBe(`values nest more than ${specLimits.maxNesting} levels deep`);
  });
});
