import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ESLint } from 'eslint';
import { workflowsPath } from '../workers/workflow-bundle';

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
    const eslint = new ESLint({ cwd: path.join(__dirname, '..') });
    const code = [
      "import { readFileSync } from 'node:fs';",
      "import OpenAI from 'openai';",
      "import { Client } from '@temporalio/client';",
      "import { createActivities } from '../activities';",
      "import type { BatonActivities } from '../activities';",
      'export const leaks = [readFileSync, OpenAI, Client, createActivities, process.env.X];',
      'export type A = BatonActivities;',
    ].join('\n');
    const [result] = await eslint.lintText(code, { filePath: path.join(__dirname, '..', 'workflows', 'leak.ts') });
    const messages = (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('no-restricted'));
    expect(messages.map((m) => m.line).sort()).toEqual([1, 2, 3, 4, 6]);
  });
});
