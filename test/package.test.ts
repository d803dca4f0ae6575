/**
 * Baton as an installed package: `npm pack`, install the tarball into a fresh project in a
 * temporary folder (no path back to the repository), then use it there the way a consumer
 * does — ESM and CommonJS imports, a type-checked TypeScript file, a worker and an agent run
 * against this suite's dev server, and the internal paths the exports map hides.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consumerEnv, expectSuccess, npmInstall, packedBaton, repoRoot, repoTsc, run, tempDir, writeFiles } from './helpers/package';
import { consumerFiles, entryPoints } from './fixtures/package-consumer';

let project: string;
let tarball: string;

beforeAll(async () => {
  tarball = await packedBaton();
  project = tempDir('baton-consumer');
  writeFiles(project, consumerFiles);
  // @types/node for the type-check, at the repository's version (in the npm cache already).
  const typesNode = JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/@types/node/package.json'), 'utf8')) as { version: string };
  await npmInstall(project, [tarball, `@types/node@${typesNode.version}`]);
}, 240_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

const node = (args: string[], env?: Record<string, string>) => run(process.execPath, args, { cwd: project, env: consumerEnv(env) });

describe('the packed baton package', () => {
  it('holds the build, the bin and the templates, and no sources or tests', async () => {
    const listing = expectSuccess(await run('tar', ['-tzf', tarball], { cwd: project }), 'tar -t').stdout.split('\n').filter(Boolean);
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    // The modules the worker hands the workflow bundler by path.
    for (const module of ['workflows/index.js', 'workflows/tracing-interceptors.js', 'codec/encoded-failure-converter.cjs']) expect(listing).toContain(`package/dist/${module}`);
    expect(listing).toContain('package/bin/baton.cjs');
    expect(listing).toContain('package/README.md');
    expect(listing.some((file) => file.startsWith('package/templates/init/'))).toBe(true);
    expect(listing.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts') && !file.startsWith('package/templates/'))).toEqual([]);
    expect(listing.filter((file) => /(^|\/)test\//.test(file) && !file.startsWith('package/templates/'))).toEqual([]);
  });

  it('exports every entry point to ESM with its named exports', async () => {
    const result = expectSuccess(await node(['esm.mjs']), 'node esm.mjs');
    expect(JSON.parse(result.stdout)).toEqual(entryPoints);
  });

  it('exports every entry point to CommonJS with its named exports', async () => {
    const result = expectSuccess(await node(['cjs.cjs']), 'node cjs.cjs');
    expect(JSON.parse(result.stdout)).toEqual(entryPoints);
  });

  it('refuses internal paths from ESM and CommonJS with ERR_PACKAGE_PATH_NOT_EXPORTED', async () => {
    const result = expectSuccess(await node(['internal.cjs']), 'node internal.cjs');
    expect(JSON.parse(result.stdout)).toEqual({
      'require baton/activities/model-activity': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'require baton/dist/index.js': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'import baton/workers/create-worker': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
      'import baton/index.ts': 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  it('type-checks a consumer file against the declarations, which are real types (misuse is an error)', async () => {
    const result = await run(process.execPath, [repoTsc, '-p', 'tsconfig.json'], { cwd: project });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('runs a worker from baton/worker (payload encryption on) and an agent run whose tool throws a ToolError, the config loaded from baton.config.ts', async () => {
    const result = expectSuccess(await node(['run-agent.mjs'], { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') }), 'node run-agent.mjs');
    const outcome = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { output: string; turns: number; toolMessages: Array<{ name: string; isError: boolean; content: string }>; modelCalls: number };
    // The tool's ToolError (the config imports it from 'baton') went back to the model as a tool error, not a retry.
    expect(outcome.toolMessages).toEqual([{ name: 'lookup_order', isError: true, content: 'no order "missing"' }]);
    expect(outcome.output).toBe('the lookup said: no order "missing"');
    expect(outcome.turns).toBe(2);
    expect(outcome.modelCalls).toBe(2);
  });

  it('runs the baton bin from the installed package on built JavaScript, loading baton.config.ts', async () => {
    const result = expectSuccess(await run(path.join(project, 'node_modules/.bin/baton'), ['tools', 'list'], { cwd: project }), 'baton tools list');
    expect(result.stdout).toContain('lookup_order');
  });
});
