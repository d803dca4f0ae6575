/**
 * `baton init` as a new user meets it: the packed tarball installed in a project of its own
 * (what `npx baton init` does), its bin scaffolds an app in a temporary folder, the app
 * installs against that tarball, and the app's own `npm test` passes on this suite's dev server.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consumerEnv, expectSuccess, npmInstall, packedBaton, run, tempDir, writeFiles } from './helpers/package';
import { packageNameFor } from '../client/cli/commands/init';

let tarball: string;
let work: string;
let baton: string;

beforeAll(async () => {
  tarball = await packedBaton();
  work = tempDir('baton-init');
  // Where `baton` is installed from the tarball, as npx would: no path back to the repository.
  writeFiles(path.join(work, 'cli'), { 'package.json': JSON.stringify({ name: 'baton-cli', version: '1.0.0', private: true }) });
  await npmInstall(path.join(work, 'cli'), [tarball]);
  baton = path.join(work, 'cli', 'node_modules', '.bin', 'baton');
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('baton init', () => {
  it('scaffolds a project whose own npm test runs the team on the scripted model and passes, and which type-checks', async () => {
    const created = expectSuccess(await run(baton, ['init', 'support-agents', '--baton', tarball], { cwd: work }), 'baton init');
    expect(created.stdout).toContain('created support-agents in support-agents');
    const app = path.join(work, 'support-agents');
    const files = ['package.json', 'baton.config.ts', 'tools/lookup-order.ts', 'workflows/order-review.yaml', 'test/team.test.ts', 'README.md', '.gitignore', 'tsconfig.json', 'vitest.config.mts'];
    for (const file of files) expect(existsSync(path.join(app, file)), file).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as { name: string; scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(manifest.name).toBe('support-agents');
    expect(Object.keys(manifest.scripts)).toEqual(expect.arrayContaining(['dev', 'worker', 'test']));
    expect(manifest.dependencies.baton).toBe(`file:${tarball}`);
    expect(readFileSync(path.join(app, 'README.md'), 'utf8')).toMatch(/^# support-agents\n/);

    await npmInstall(app);
    const env = consumerEnv({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') });
    const tested = expectSuccess(await run('npm', ['test'], { cwd: app, env, timeoutMs: 150_000 }), 'npm test in the scaffold');
    expect(tested.stdout).toMatch(/Tests\s+2 passed \(2\)/);
    // The templates type-check as the project's own TypeScript sees them (ESM, NodeNext).
    const typechecked = await run('npm', ['run', 'typecheck', '--silent'], { cwd: app, env });
    expect(typechecked.stdout + typechecked.stderr).toBe('');
    expect(typechecked.code).toBe(0);
  }, 300_000);

  it('refuses to write into a folder that has any of its files, names them, and writes nothing', async () => {
    const app = path.join(work, 'existing');
    mkdirSync(app);
    writeFileSync(path.join(app, 'README.md'), 'mine\n');
    writeFileSync(path.join(app, 'baton.config.ts'), 'export default {};\n');
    const refused = await run(baton, ['init', '--baton', '^0.1.0'], { cwd: app });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`baton init: ${app} already has README.md, baton.config.ts; nothing was written`);
    expect(readdirSync(app).sort()).toEqual(['README.md', 'baton.config.ts']);
    expect(readFileSync(path.join(app, 'README.md'), 'utf8')).toBe('mine\n');
  });

  it('names the package after the folder, made a valid npm name', () => {
    expect(packageNameFor('My Agents!')).toBe('my-agents');
    expect(packageNameFor('.hidden_project')).toBe('hidden_project');
    expect(packageNameFor('***')).toBe('baton-agents');
  });
});
