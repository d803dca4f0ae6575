/**
 * Baton as a consumer gets it: `npm pack` of the repository (its `prepack` builds dist/),
 * fresh projects in temporary folders with no path back to the repository, and commands
 * run in them. Shared by the package and `baton init` tests.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository's root folder. */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** The repository's TypeScript compiler, to type-check consumer files with. */
export const repoTsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

/** What a finished command printed, and how it exited. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of commands run in a consumer project: this process's, without vitest's
 * own variables (a nested vitest run must not think it is a worker of this one) or colours.
 */
export function consumerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^VITEST|^NODE_OPTIONS$|^TEST$|^FORCE_COLOR$/.test(key)) env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command to its end (never throws for a non-zero exit: the result says how it went). */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? consumerEnv(), timeout: options.timeoutMs ?? 120_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: err && !stderr ? String(err.message) : stderr });
    });
  });
}

/** Throws with the command's output when it failed, so a test failure says why. */
export function expectSuccess(result: CommandResult, what: string): CommandResult {
  if (result.code !== 0) throw new Error(`${what} exited with ${result.code}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`);
  return result;
}

/** A new empty folder under the OS's temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `${prefix}-`));
}

/**
 * The vitest run this test file belongs to, as `<pid>-<start time>` of its main process (the
 * parent of this forked worker; Linux's /proc gives the start time that makes it unique), or
 * undefined when that cannot be known (then every file packs for itself).
 */
function vitestRunKey(): string | undefined {
  if (!process.send) return undefined; // not a forked worker: the parent is not vitest
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    return `${process.ppid}-${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return undefined;
  }
}

/** Removes the tarballs of vitest runs whose main process is gone. */
function pruneOldPacks(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = /^baton-pack-run-(\d+)-/.exec(name)?.[1];
    if (pid && !existsSync(`/proc/${pid}`)) rmSync(path.join(tmpdir(), name), { recursive: true, force: true });
  }
}

/**
 * The packed tarball for this vitest run: built once and shared by the test files that
 * need it (they run one after another), so the suite pays for one build.
 */
export async function packedBaton(): Promise<string> {
  const key = vitestRunKey();
  if (!key) return packBaton(tempDir('baton-pack'));
  const destination = path.join(tmpdir(), `baton-pack-run-${key}`);
  const done = path.join(destination, 'packed');
  if (existsSync(done)) return readFileSync(done, 'utf8');
  pruneOldPacks();
  mkdirSync(destination, { recursive: true });
  const tarball = await packBaton(destination);
  writeFileSync(done, tarball);
  return tarball;
}

/** Builds and packs the repository (`npm pack`, which runs `prepack`: the build); returns the tarball's path. */
async function packBaton(destination: string): Promise<string> {
  expectSuccess(await run('npm', ['pack', '--pack-destination', destination, '--silent'], { cwd: repoRoot, env: consumerEnv(), timeoutMs: 150_000 }), 'npm pack');
  const tarball = readdirSync(destination).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no tarball in ${destination}`);
  return path.join(destination, tarball);
}

/** Writes files (path relative to `dir` → content) into a folder. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
}

/** `npm install` in a project from the warm npm cache (no audit, no funding notes). */
export async function npmInstall(dir: string, specs: string[] = []): Promise<CommandResult> {
  return expectSuccess(await run('npm', ['install', ...specs, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, timeoutMs: 150_000 }), `npm install ${specs.join(' ')}`);
}
