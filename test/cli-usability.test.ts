/**
 * Usability bugs of the CLI, each reproduced: a missing --config, signals through
 * bin/baton.cjs, the README's config example, raw NOT_FOUND errors, run's usage
 * messages, spec file errors (labels, paths, hostile files) as one clear line.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { loadConfig } from '../config/load-config';
import { stackFrame } from './helpers/fuzz';
import { uniqueTaskQueue } from './helpers/temporal';
import { captureCli } from './helpers/cli';

const root = path.join(__dirname, '..');
const fixtureConfig = path.join(__dirname, 'fixtures/cli/config.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'baton-cli-usability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI's `main` in this process, capturing what it prints. */
const cli = (...args: string[]) => captureCli(...args);

/** Runs the installed command, `bin/baton.cjs`, as a person would. */
function binBaton(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/baton.cjs', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('an explicit config that does not exist', () => {
  const missing = path.join(root, 'missing.ts');
  const expected = `baton: invalid config (missing.ts): (file): config file not found: ${missing} (from --config); fix the path, or leave --config out to use baton.config.ts`;

  it('is an error for every command, before any server is contacted', async () => {
    const commands = [['list'], ['status', 'x'], ['inspect', 'x'], ['result', 'x'], ['cancel', 'x'], ['pending'], ['approve', 'x'], ['tools', 'list'], ['worker'], ['run', 'a', '--input', 'x']];
    for (const command of commands) {
      // Port 1 is closed: had the command gone on, it would say the server is unreachable.
      const { code, stderr } = await cli('--config', 'missing.ts', '--address', '127.0.0.1:1', ...command);
      expect({ command, code, stderr }).toEqual({ command, code: 2, stderr: expected });
    }
  });

  it('is an error when it comes from BATON_CONFIG too', async () => {
    vi.stubEnv('BATON_CONFIG', 'missing.ts');
    try {
      const { code, stderr } = await cli('--address', '127.0.0.1:1', 'list');
      expect(code).toBe(2);
      expect(stderr).toBe(`baton: invalid config (missing.ts): (file): config file not found: ${missing} (from BATON_CONFIG); fix the path, or leave BATON_CONFIG out to use baton.config.ts`);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('bin/baton.cjs', () => {
  /** Every process below `pid`, from ps. */
  function descendants(pid: number): number[] {
    const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
    const pairs = out.trim().split('\n').map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
    const found: number[] = [];
    const queue = [pid];
    while (queue.length) {
      const parent = queue.shift() as number;
      for (const [child, ppid] of pairs) {
        if (ppid !== parent) continue;
        found.push(child);
        queue.push(child);
      }
    }
    return found;
  }
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('runs the worker in its own process: SIGTERM stops it cleanly and leaves no process behind', async () => {
    const worker = spawn(process.execPath, ['bin/baton.cjs', '--config', fixtureConfig, '--address', inject('temporalAddress'), 'worker', '-q', uniqueTaskQueue('bin')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    worker.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    worker.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => worker.once('exit', (code, signal) => resolve({ code, signal })));
    for (let i = 0; i < 600 && !out.includes('worker ready'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toContain('baton worker ready');
    const tree = descendants(worker.pid as number);
    // The worker polls from this very process: no second Node process runs the CLI.
    expect(tree.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('main.ts'))).toEqual([]);
    worker.kill('SIGTERM');
    const exit = await exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(out).toContain('baton worker stopped');
    // Helpers the loaders started (esbuild's service) end with it, within a moment.
    const left = () => [worker.pid as number, ...tree].filter(alive);
    for (const until = Date.now() + 20_000; left().length && Date.now() < until;) await new Promise((r) => setTimeout(r, 100));
    expect(left().map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8'))).toEqual([]);
  });

  it('exits with the CLI\'s code and prints one line for a usage error', () => {
    const { code, stderr } = binBaton('run');
    expect(code).toBe(2);
    expect(stderr).toBe('baton: nothing to run: give an agent name (baton run <agent>) or --spec <file>\n');
  });
});

describe('the README', () => {
  it('has a config example that loads as written, importing from "baton"', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(example).toContain("from 'baton'");
    // Inside the repository, so that the name `baton` resolves through the package's exports.
    const project = mkdtempSync(path.join(root, '.readme-example-'));
    try {
      writeFileSync(path.join(project, 'baton.config.ts'), example);
      writeFileSync(path.join(project, 'orders.ts'), 'export async function fetchOrder(id: string, _opts: { idempotencyKey: string }) { return { id }; }\n');
      const config = await loadConfig(path.join(project, 'baton.config.ts'));
      expect(Object.keys(config.agents)).toEqual(['support']);
      expect(config.tools.map((t) => t.spec.name)).toEqual(['lookup_order']);
      expect(config.temporal.taskQueue).toBe('support');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('has imports in "Running agents from code" that resolve (baton, baton/workflows)', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Running agents from code'));
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const imports = example.split('\n').filter((line) => line.startsWith('import '));
    expect(imports).toEqual(["import { BatonClient, loadConfig } from 'baton';", "import { stateQuery } from 'baton/workflows';"]);
    const project = mkdtempSync(path.join(root, '.readme-example-'));
    try {
      // Only the imports: the rest of the example needs a server and a config.
      writeFileSync(path.join(project, 'client.ts'), `${imports.join('\n')}\nexport default { BatonClient, loadConfig, stateQuery };\n`);
      const { require: tsxRequire } = await import('tsx/cjs/api');
      const loaded = tsxRequire(path.join(project, 'client.ts'), __filename) as { default: Record<string, unknown> };
      expect(typeof loaded.default.BatonClient).toBe('function');
      expect(typeof loaded.default.loadConfig).toBe('function');
      expect(loaded.default.stateQuery).toMatchObject({ type: 'query', name: 'state' });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('CLI messages', () => {
  it('says "no run with id" for every command given an unknown run', async () => {
    for (const command of ['inspect', 'status', 'result', 'cancel', 'approve']) {
      const { code, stderr } = await cli('--address', inject('temporalAddress'), command, 'no-such-run');
      expect({ command, code, stderr }).toEqual({ command, code: 1, stderr: 'baton: no run with id no-such-run' });
    }
  });

  it('tells run without an agent or --spec what is missing, and refuses both', async () => {
    expect(await cli('run', '--input', 'x')).toMatchObject({ code: 2, stderr: 'baton: nothing to run: give an agent name (baton run <agent>) or --spec <file>' });
    expect(await cli('run', 'echoer', '--spec', 'x.yaml', '--input', 'x')).toMatchObject({ code: 2, stderr: 'baton: give an agent name or --spec <file>, not both' });
  });

  it('labels spec file errors "invalid workflow spec <file>" and names the step of an unknown agent', async () => {
    const spec = path.join(dir, 'unknown-agent.yaml');
    writeFileSync(spec, 'name: flow\nsteps:\n  kind: sequence\n  steps:\n    - { kind: agent, agent: echoer }\n    - { kind: agent, agent: ghost }\n');
    const file = path.relative(root, spec);
    const unknown = await cli('--config', fixtureConfig, '--address', '127.0.0.1:1', 'run', '--spec', spec, '--input', 'x');
    expect(unknown).toMatchObject({ code: 2, stderr: `baton: invalid workflow spec ${file}: steps.steps[1].agent: unknown agent "ghost"; configured agents: echoer, staller, payer` });
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(broken, 'name: flow\nsteps: { kind: agent, agent: echoer\n');
    const yaml = await cli('--config', fixtureConfig, 'run', '--spec', broken, '--input', 'x');
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toMatch(new RegExp(`^baton: invalid workflow spec ${path.relative(root, broken).replace(/[.]/g, '\\.')}: \\(file\\): [^\\n]+ at line \\d+, column \\d+:$`));
  });

  it('prints one line and no stack trace for a 3,000-deep or 100,000-branch spec file (the real command)', () => {
    let flow = '{ kind: agent, agent: echoer }';
    for (let i = 0; i < 3000; i++) flow = `{ kind: sequence, steps: [${flow}] }`;
    const deep = path.join(dir, 'deep.yaml');
    writeFileSync(deep, `name: deep\nsteps: ${flow}\n`);
    const wide = path.join(dir, 'wide.json');
    writeFileSync(wide, JSON.stringify({ name: 'wide', steps: { kind: 'parallel', branches: Array.from({ length: 100_000 }, () => ({ kind: 'agent', agent: 'echoer' })) } }));
    for (const [file, reason] of [[deep, '(file): nests too deeply to read; steps may nest at most 32 levels'], [wide, '(file): the file is 3.2 MiB; a spec file may be at most 1.5 MiB, the size of a run\'s input (temporal.maxInputBytes)']] as const) {
      const { code, stdout, stderr } = binBaton('--config', fixtureConfig, '--address', '127.0.0.1:1', 'run', '--spec', file, '--input', 'x');
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`baton: invalid workflow spec ${path.relative(root, file)}: ${reason}`);
      expect(stderr).not.toMatch(stackFrame);
    }
  });
});
