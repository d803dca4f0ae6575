import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ESLint } from 'eslint';
import { workflowsPath } from '../workers/workflow-bundle';
import { AgentRunInputSchema, AgentSpecSchema, validatedRunInput } from '../core';

/** Lints `lines` as if they were a file in workflows/. */
async function lintAsWorkflow(lines: string[]) {
  const eslint = new ESLint({ cwd: path.join(__dirname, '..') });
  const [result] = await eslint.lintText(lines.join('\n'), { filePath: path.join(__dirname, '..', 'workflows', 'leak.ts') });
  return result?.messages ?? [];
}

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, log: () => undefined };

describe('the workflow sandbox boundary', () => {
  it('bundles every Baton workflow with no disallowed module', async () => {
    const warnings: string[] = [];
    const logger = { ...quiet, warn: (message: string) => void warnings.push(message) };
    const bundle = await bundleWorkflowCode({ workflowsPath, logger });
    expect(bundle.code).toContain('agentWorkflow');
    expect(warnings.filter((w) => /disallowed|ignored/i.test(w))).toEqual([]);
  });

  it('fails to bundle a workflow that imports a Node built-in', async () => {
    const errors: string[] = [];
    const logger = { ...quiet, error: (message: string) => void errors.push(message) };
    await expect(bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'fixtures/leaky-workflow.ts'), logger })).rejects.toThrow(/Webpack finished with errors/);
    expect(errors.join('\n')).toMatch(/node:fs/);
  });

  it('lints value imports of I/O and SDK clients in sandbox folders as errors', async () => {
    const messages = await lintAsWorkflow([
      "import { readFileSync } from 'node:fs';",
      "import OpenAI from 'openai';",
      "import { Client } from '@temporalio/client';",
      "import { createActivities } from '../activities';",
      "import type { BatonActivities } from '../activities';",
      'export const leaks = [readFileSync, OpenAI, Client, createActivities, process.env.X];',
      'export type A = BatonActivities;',
    ]);
    expect(messages.filter((m) => m.ruleId?.startsWith('no-restricted')).map((m) => m.line).sort()).toEqual([1, 2, 3, 4, 6]);
  });

  it('keeps zod and the schemas off the workflow path: values only from zod-free modules, schemas loaded lazily', async () => {
    const messages = await lintAsWorkflow([
      "import { z } from 'zod';",
      "import { AgentSpecSchema } from '../core';",
      "import { DurationSchema } from '../core/durations';",
      "import type { AgentSpec } from '../core';",
      "import { specHash } from '../core/hash';",
      "import { schemas } from './lazy-schemas';",
      'export const uses = [z, AgentSpecSchema, DurationSchema, specHash, schemas];',
      'export type A = AgentSpec;',
    ]);
    expect(messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.line)).toEqual([1, 2, 3]);
  });

  it('fills a validated child input with exactly the defaults the schema would', () => {
    const agent = AgentSpecSchema.parse({ name: 'a', provider: 'p', model: 'm' });
    const minimal = { agent, input: 'hi' };
    const { validated, ...filled } = validatedRunInput(minimal);
    expect(validated).toBe(true);
    expect(filled).toEqual(AgentRunInputSchema.parse(minimal));
  });
});
