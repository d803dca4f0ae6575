/**
 * Baton's public names inside the repository, where nothing is built: `baton` and its
 * subpaths resolve to the TypeScript sources (tsconfig.json's `paths` for tsx and tsc,
 * vitest's aliases here), and a config file loaded through tsx gets its own copy of
 * Baton's modules, whose ToolErrors the worker must still recognise.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, ToolError } from 'baton';
import { createBatonWorker } from 'baton/worker';
import { fanOut, stateQuery } from 'baton/workflows';
import { startWireServer } from 'baton/testing';
import { ToolError as SourceToolError } from '../activities/tools/define-tool';
import { workflowsPath } from '../workers/workflow-bundle';

const root = path.resolve(__dirname, '..');

describe('baton names in the repository', () => {
  it('resolve to the sources, the same modules as relative imports', () => {
    expect(ToolError).toBe(SourceToolError);
    expect(typeof createBatonWorker).toBe('function');
    expect(typeof fanOut).toBe('function');
    expect(stateQuery).toMatchObject({ type: 'query', name: 'state' });
    expect(typeof startWireServer).toBe('function');
  });

  it('bundle workflows from workflows/index.ts when running from source', () => {
    expect(path.relative(root, workflowsPath)).toBe(path.join('workflows', 'index.ts'));
  });

  it('give a config loaded through tsx ToolErrors that are instanceof the worker\'s ToolError', async () => {
    // Inside the repository, so that `baton` resolves through tsconfig.json's paths.
    const project = mkdtempSync(path.join(root, '.package-source-'));
    try {
      writeFileSync(path.join(project, 'baton.config.ts'), `import { z } from 'zod';
import { defineConfig, defineTool, ToolError } from 'baton';
export default defineConfig({
  providers: {},
  agents: {},
  tools: [defineTool({ name: 'refuse', description: 'Always refuses', input: z.object({}), execute: async () => { throw new ToolError('refused here', 'refused'); } })],
});
`);
      const config = await loadConfig(path.join(project, 'baton.config.ts'));
      const thrown = await config.tools[0]!.execute({}, { idempotencyKey: 'k', agent: 'a', callId: 'c', attempt: 1, signal: new AbortController().signal, heartbeat: () => {} }).catch((err: unknown) => err);
      // tsx's require keeps its own module cache: the tool threw an error of the config's copy of ToolError, another class object…
      expect(thrown).toBeInstanceOf(Error);
      const thrownClass = (thrown as Error).constructor;
      expect(thrownClass.name).toBe('ToolError');
      expect(thrownClass).not.toBe(ToolError);
      // …whose errors are still ToolErrors to the worker's copy (what tool-activity checks).
      expect(thrown).toBeInstanceOf(ToolError);
      expect(thrown).toMatchObject({ message: 'refused here', kind: 'refused' });
      expect(new Error('plain')).not.toBeInstanceOf(ToolError);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
