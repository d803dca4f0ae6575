/** Checking and running tool plans: pure functions, no zod (used by workflows). */
import type { ToolPlan } from './tool-plan';

const refPattern = /\{\{\s*steps\.([\w-]+)\.result((?:\.[\w-]+)*)\s*\}\}/g;

/** The step ids a value refers to, with where each reference is (`args.query`). */
export function planRefs(value: unknown, at = 'args'): Array<{ id: string; at: string }> {
  if (typeof value === 'string') return [...value.matchAll(refPattern)].map((m) => ({ id: m[1] as string, at }));
  if (Array.isArray(value)) return value.flatMap((v, i) => planRefs(v, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => planRefs(v, `${at}.${k}`));
  return [];
}

/** Problems with a plan, each naming the bad step's path; empty when the plan can run. */
export function checkToolPlan(plan: ToolPlan, knownTools?: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const ids = new Map<string, number>();
  plan.steps.forEach((step, i) => {
    if (ids.has(step.id)) problems.push(`steps[${i}].id: "${step.id}" is used twice`);
    ids.set(step.id, i);
    if (knownTools && !knownTools.has(step.tool)) problems.push(`steps[${i}].tool: unknown tool "${step.tool}"`);
  });
  plan.steps.forEach((step, i) => {
    for (const ref of planRefs(step.args)) if (!ids.has(ref.id)) problems.push(`steps[${i}].${ref.at}: refers to missing step "${ref.id}"`);
  });
  if (problems.length) return problems;
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): string | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...trail.slice(trail.indexOf(id)), id].join(' → ');
    state.set(id, 'visiting');
    const step = plan.steps[ids.get(id) as number];
    for (const ref of planRefs(step?.args)) {
      const cycle = visit(ref.id, [...trail, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const step of plan.steps) {
    const cycle = visit(step.id, []);
    if (cycle) return [`steps[${ids.get(step.id)}]: cycle ${cycle}`];
  }
  return problems;
}

function lookup(value: unknown, fields: string): unknown {
  // Own fields only: a reference like {{steps.a.result.constructor}} must not reach a built-in.
  return fields.split('.').filter(Boolean).reduce<unknown>((acc, key) => (acc && typeof acc === 'object' && Object.hasOwn(acc, key) ? (acc as Record<string, unknown>)[key] : undefined), value);
}

/** Replaces references with results: a whole-string reference keeps the result's type. */
export function resolvePlanArgs(value: unknown, results: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*steps\.([\w-]+)\.result((?:\.[\w-]+)*)\s*\}\}$/.exec(value);
    if (whole) return lookup(results.get(whole[1] as string), whole[2] ?? '');
    return value.replace(refPattern, (_, id: string, fields: string) => {
      const found = lookup(results.get(id), fields);
      return typeof found === 'string' ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolvePlanArgs(v, results));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvePlanArgs(v, results)]));
  return value;
}
