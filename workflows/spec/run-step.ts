/**
 * The declarative-spec interpreter: one function per step kind, agents as child runs.
 * Runs in the workflow sandbox.
 */
import { patched } from '@temporalio/workflow';
import type { Step, StepOutput } from '../../core';
import { FailureType } from '../../core/failures';
import { fail } from '../failures';
import { fanOut, type BranchOutcome, type FanOutOptions } from '../patterns/fan-out';
import type { SpecRun } from './spec-run';
import { runGenerated } from './generate-step';
import { runTools } from './tools-step';

type Of<K extends Step['kind']> = Extract<Step, { kind: K }>;

const verdictSchema = { type: 'object', properties: { accept: { type: 'boolean' }, feedback: { type: 'string' } }, required: ['accept', 'feedback'] };
const routeSchema = { type: 'object', properties: { route: { type: 'string' } }, required: ['route'] };

/** Results of several branches as one text, for an aggregating agent. */
function combine(outputs: Array<{ label: string; result: { ok: true; value: StepOutput } | { ok: false; error: string } }>): string {
  return outputs
    .map(({ label, result }, i) => `Result ${i + 1} (${label}):\n${result.ok ? result.value.output : `FAILED: ${result.error}`}`)
    .join('\n\n');
}

async function aggregate(run: SpecRun, step: Of<'parallel'> | Of<'map'>, path: string, text: string, structured: unknown[]): Promise<StepOutput> {
  return step.aggregate ? runStep(run, step.aggregate, text, `${path}.aggregate`) : { output: text, structured };
}

/** `aggregate`, without an async call when there is no aggregating agent and the fan-out ran alone (two promises fewer). */
function aggregated(run: SpecRun, step: Of<'parallel'> | Of<'map'>, path: string, alone: boolean, text: string, structured: unknown[]): StepOutput | Promise<StepOutput> {
  return alone && !step.aggregate ? { output: text, structured } : aggregate(run, step, path, text, structured);
}

/** The value at a dot path of model or user data; own properties only, never a built-in. */
function valueAt(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((acc, key) => (acc !== null && typeof acc === 'object' && Object.hasOwn(acc, key) ? (acc as Record<string, unknown>)[key] : undefined), value);
}

/** Branches or items run at once when a step sets no `concurrency`: well under the server's 2,000 pending children. */
export const defaultConcurrency = 50;
/** Items a `map` runs at most unless the step sets `maxItems`. */
export const defaultMaxItems = 2_000;

/** The step's concurrency, or the default for a fan-out wider than it (patched: older runs had none). */
function concurrencyOf(step: Of<'parallel'> | Of<'map'>, count: number): number | undefined {
  if (step.concurrency !== undefined || count <= defaultConcurrency) return step.concurrency;
  return patched('baton-default-fan-out-concurrency') ? defaultConcurrency : undefined;
}

/**
 * `fanOut` for a spec step. Inside another fan-out's branches it is called exactly as before;
 * alone in the run (see SpecRun.concurrentFanOuts) it is told so, and counted while it runs
 * more than one branch at once.
 */
function fannedOut<T>(run: SpecRun, count: number, task: (index: number) => Promise<T>, options: FanOutOptions): Promise<Array<BranchOutcome<T>>> {
  if (run.concurrentFanOuts > 0) return fanOut(count, task, options);
  if (count <= 1 || options.concurrency === 1) return fanOut(count, task, { ...options, alone: true });
  return countedFanOut(run, count, task, { ...options, alone: true });
}

async function countedFanOut<T>(run: SpecRun, count: number, task: (index: number) => Promise<T>, options: FanOutOptions): Promise<Array<BranchOutcome<T>>> {
  run.concurrentFanOuts++;
  try {
    return await fanOut(count, task, options);
  } finally {
    run.concurrentFanOuts--;
  }
}

/** An agent step without a name for its output: alone, a branch starts its agent directly, without the step's `then`. */
const isPlainAgent = (step: Step): step is Of<'agent'> => step.kind === 'agent' && step.as === undefined;

async function runParallel(run: SpecRun, step: Of<'parallel'>, input: string, path: string): Promise<StepOutput> {
  const count = step.branches.length;
  // Alone, branches that are all plain agent steps each start their agent directly: every branch
  // resumes after the same fewer promise steps, so their commands keep their recorded order.
  const alone = run.concurrentFanOuts === 0;
  const direct = alone && step.branches.every(isPlainAgent);
  const branch = direct ? (i: number) => startAgentStep(run, step.branches[i] as Of<'agent'>, input, `${path}.branches[${i}]`) : (i: number) => runStep(run, step.branches[i] as Step, input, `${path}.branches[${i}]`);
  const outcomes = await fannedOut(run, count, branch, { onFailure: step.onFailure, concurrency: concurrencyOf(step, count) });
  const labels = step.branches.map((b, i) => (b.kind === 'agent' ? b.agent : `branch ${i}`));
  return aggregated(run, step, path, alone, combine(outcomes.map((result, i) => ({ label: labels[i] as string, result }))), outcomes.map((o) => (o.ok ? o.value.structured ?? o.value.output : { error: o.error })));
}

async function runMap(run: SpecRun, step: Of<'map'>, path: string): Promise<StepOutput> {
  const [, name, ...rest] = step.over.split('.');
  const source = run.named.get(name as string);
  const items = valueAt(source?.structured, rest.slice(1).join('.'));
  if (!Array.isArray(items)) fail(FailureType.StepFailed, `${path}: ${step.over} is not a list (got ${JSON.stringify(items)?.slice(0, 100)})`);
  const maxItems = step.maxItems ?? defaultMaxItems;
  if (items.length > maxItems && patched('baton-map-max-items')) {
    fail(FailureType.LimitExceeded, `${path}: ${step.over} has ${items.length} items, over the map's limit of ${maxItems} (the step's maxItems, default ${defaultMaxItems}); have the planner return fewer items, or raise maxItems on the map step`);
  }
  const tasks = items.map((item: unknown, i) => {
    // Items are model output: read only own string fields, whatever their shape.
    const field = (key: string) => (item !== null && typeof item === 'object' && Object.hasOwn(item, key) && typeof (item as Record<string, unknown>)[key] === 'string' ? ((item as Record<string, unknown>)[key] as string) : undefined);
    const agent = step.agent ?? field('agent') ?? fail(FailureType.InvalidInput, `${step.over}[${i}] names no agent and the map step has none`);
    return { agent, input: typeof item === 'string' ? item : field('input') ?? field('task') ?? JSON.stringify(item) };
  });
  // A generated run's items are model output: all of them within the allowance, or none runs.
  if (run.allow) tasks.forEach((task, i) => run.checkAgent(task.agent, `${path}.items[${i}]`));
  const alone = run.concurrentFanOuts === 0;
  const outcomes = await fannedOut(run, tasks.length, (i) => run.runAgent(tasks[i]?.agent as string, tasks[i]?.input as string, `${path}.items[${i}]`), { onFailure: step.onFailure, concurrency: concurrencyOf(step, tasks.length) });
  return aggregated(run, step, path, alone, combine(outcomes.map((result, i) => ({ label: `${tasks[i]?.agent}: ${tasks[i]?.input}`, result }))), outcomes.map((o) => (o.ok ? o.value.structured ?? o.value.output : { error: o.error })));
}

async function runRoute(run: SpecRun, step: Of<'route'>, input: string, path: string): Promise<StepOutput> {
  const state = run.begin(path, 'route');
  let route: string;
  if (step.classifier) {
    const verdict = await run.runAgent(step.classifier, input, `${path}.classifier`, { outputSchema: { ...routeSchema, description: `Pick one route: ${Object.keys(step.routes).join(', ')}` } });
    route = String((verdict.structured as { route?: unknown } | undefined)?.route ?? '');
  } else {
    let data: unknown;
    try {
      data = JSON.parse(input);
    } catch {
      data = undefined;
    }
    route = String(valueAt(data, step.field as string) ?? '');
  }
  state.route = route;
  // The answer is model or user data: only the spec's own routes count, never a built-in like `constructor`.
  const known = Object.hasOwn(step.routes, route);
  const chosen = known ? step.routes[route] : step.onUnknown === 'default' ? step.default : undefined;
  if (!chosen) {
    const error = `${path}: unknown route "${route}" (routes: ${Object.keys(step.routes).join(', ')})`;
    run.end(state, new Error(error));
    fail(FailureType.StepFailed, error);
  }
  if (!known) state.route = `${route} → default`;
  const result = await runStep(run, chosen, input, known ? `${path}.routes.${route}` : `${path}.default`);
  run.end(state, result);
  return result;
}

async function runLoop(run: SpecRun, step: Of<'loop'>, input: string, path: string): Promise<StepOutput> {
  const state = run.begin(path, 'loop', { iterations: [] });
  let candidate: StepOutput = { output: '' };
  let feedback = '';
  for (let i = 1; i <= step.maxIterations; i++) {
    const ask = feedback ? `${input}\n\nYour previous answer:\n${candidate.output}\n\nReviewer feedback:\n${feedback}` : input;
    candidate = await run.runAgent(step.generator, ask, `${path}.iterations[${i}].generator`);
    const verdict = await run.runAgent(step.evaluator, `Task:\n${input}\n\nCandidate answer:\n${candidate.output}`, `${path}.iterations[${i}].evaluator`, { outputSchema: verdictSchema });
    const { accept, feedback: said } = verdict.structured as { accept: boolean; feedback: string };
    state.iterations?.push({ iteration: i, accepted: accept, feedback: said });
    feedback = said;
    if (accept) break;
  }
  run.end(state, candidate);
  return candidate;
}

async function runApproval(run: SpecRun, step: Of<'approval'>, input: string, path: string): Promise<StepOutput> {
  const state = run.begin(path, 'approval');
  const record = await run.desk.request({ agent: run.spec.name, tool: `step ${path}`, arguments: { message: step.message, input: input.slice(0, 500) }, risk: 'high', turn: 0 }, { timeout: step.timeout, onTimeout: step.onTimeout });
  if (record.decision === 'rejected') {
    const error = `${path} was rejected${record.reason ? `: ${record.reason}` : ''}`;
    run.end(state, new Error(error));
    fail(FailureType.ApprovalRejected, error);
  }
  run.end(state, { output: input });
  return { output: input };
}

/**
 * Runs one step on its input; its output becomes the next step's input. An agent step takes its
 * child's outcome in one `then`: the same promise steps as an async function's `await`, one
 * promise fewer (see SpecRun.runAgent); a template that fails rejects, as a throw there would.
 */
export function runStep(run: SpecRun, step: Step, input: string, path: string): Promise<StepOutput> {
  if (step.kind !== 'agent') return runComposite(run, step, input, path);
  return startAgentStep(run, step, input, path).then((result) => {
    if (step.as) run.named.set(step.as, result);
    return result;
  });
}

/** An agent step's child run on its rendered input; a template that fails rejects (never throws), as in an async step. */
function startAgentStep(run: SpecRun, step: Of<'agent'>, input: string, path: string): Promise<StepOutput> {
  let text: string;
  try {
    text = run.render(step.input, input);
  } catch (err) {
    return Promise.reject(err);
  }
  return run.runAgent(step.agent, text, path);
}

async function runComposite(run: SpecRun, step: Exclude<Step, Of<'agent'>>, input: string, path: string): Promise<StepOutput> {
  let result: StepOutput;
  switch (step.kind) {
    case 'sequence': {
      result = { output: input };
      for (const [i, child] of step.steps.entries()) result = await runStep(run, child, result.output, `${path}.steps[${i}]`);
      break;
    }
    case 'parallel': result = await runParallel(run, step, input, path); break;
    case 'map': result = await runMap(run, step, path); break;
    case 'route': result = await runRoute(run, step, input, path); break;
    case 'loop': result = await runLoop(run, step, input, path); break;
    case 'approval': result = await runApproval(run, step, input, path); break;
    case 'generate': result = await runGenerated(run, step, input, path); break;
    case 'tools': result = await runTools(run, step, path); break;
  }
  if (step.as) run.named.set(step.as, result);
  return result;
}
