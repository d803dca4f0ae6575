/**
 * The file tools against an attacker who changes the folder while the tool works: a racer
 * process swaps a folder on the path for a symlink to an outside folder in a tight loop,
 * and not one of 2000 reads or 2000 writes may reach the outside. Also named pipes (which
 * used to hang `file_read`), hard links to outside files, and errno errors, which must come
 * back as tool errors naming only the relative path.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolError, fileTools, type BatonTool } from '../activities';

const context = { idempotencyKey: 'k', agent: 'a', callId: 'c', attempt: 1, signal: new AbortController().signal, heartbeat() {} };

async function call(tool: BatonTool, args: unknown): Promise<unknown> {
  const parsed = tool.parseArguments(args);
  if (!parsed.ok) throw new Error(`bad arguments: ${parsed.error}`);
  return tool.execute(parsed.value, context);
}

async function toolError(promise: Promise<unknown>): Promise<ToolError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
}

/** Swaps `dir` for a symlink to `outside` and back, as fast as it can, for at most `ms`. */
const racerScript = `
const fs = require('node:fs');
const [dir, outside, ms] = process.argv.slice(1);
const end = Date.now() + Number(ms);
process.stdout.write('ready\\n');
while (Date.now() < end) {
  try { fs.renameSync(dir, dir + '-real'); fs.symlinkSync(outside, dir); } catch {}
  try { fs.unlinkSync(dir); } catch {}
  try { fs.renameSync(dir + '-real', dir); } catch {}
}
`;

async function withRacer<T>(dir: string, outside: string, fn: () => Promise<T>): Promise<T> {
  const racer = spawn(process.execPath, ['-e', racerScript, dir, outside, '45000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    racer.stdout.once('data', () => resolve());
    racer.once('exit', (code) => reject(new Error(`the racer exited early (${code})`)));
  });
  try {
    return await fn();
  } finally {
    const exited = new Promise((resolve) => racer.once('exit', resolve));
    racer.kill('SIGKILL');
    await exited;
  }
}

describe('file tools under a path-swapping race', () => {
  it('lets none of 2000 reads and 2000 writes reach a file outside the folder', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'baton-race-'));
    const root = path.join(base, 'root');
    const outside = path.join(base, 'outside');
    const swapped = path.join(root, 'swap');
    mkdirSync(swapped, { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(swapped, 'target.txt'), 'INSIDE');
    const outsideTarget = path.join(outside, 'target.txt');
    writeFileSync(outsideTarget, 'OUTSIDE');
    const [read, , write] = fileTools({ root, allowWrite: true }) as [BatonTool, BatonTool, BatonTool];

    const counts = await withRacer(swapped, outside, async () => {
      let outsideReads = 0;
      let insideReads = 0;
      let outsideWrites = 0;
      for (let i = 0; i < 2000; i++) {
        const text = await call(read, { path: 'swap/target.txt' }).catch(() => undefined);
        if (text === 'OUTSIDE') outsideReads++;
        if (text === 'INSIDE') insideReads++;
      }
      for (let i = 0; i < 2000; i++) {
        const file = i % 2 === 0 ? 'swap/target.txt' : `swap/new-${i}.txt`;
        await call(write, { path: file, content: 'INSIDE' }).catch(() => undefined);
        if (readFileSync(outsideTarget, 'utf8') !== 'OUTSIDE') {
          outsideWrites++;
          writeFileSync(outsideTarget, 'OUTSIDE');
        }
      }
      outsideWrites += readdirSync(outside).filter((name) => name.startsWith('new-')).length;
      return { outsideReads, insideReads, outsideWrites };
    });
    expect(counts.outsideReads).toBe(0);
    expect(counts.outsideWrites).toBe(0);
    expect(counts.insideReads).toBeGreaterThan(0); // the race did not simply stop every read
    expect(readFileSync(outsideTarget, 'utf8')).toBe('OUTSIDE');
  }, 180_000); // 4,000 calls: ~6 s idle, over 30 s on a loaded machine
});

describe('file tools and special files', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'baton-special-'));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'docs'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.txt'), 'SECRET');
  writeFileSync(path.join(root, 'docs', 'a.txt'), 'inside');
  const [read, list, write] = fileTools({ root, allowWrite: true }) as [BatonTool, BatonTool, BatonTool];

  it('refuses a named pipe at once instead of hanging', async () => {
    expect(spawnSync('mkfifo', [path.join(root, 'pipe')]).status).toBe(0);
    const started = Date.now();
    const err = await toolError(Promise.race([call(read, { path: 'pipe' }), new Promise((_, reject) => setTimeout(() => reject(new Error('file_read hung on a named pipe')), 20_000))]));
    expect(err.message).toBe('refused: "pipe" is not a regular file');
    expect(err.kind).toBe('refused');
    expect((await toolError(call(write, { path: 'pipe', content: 'x' }))).message).toMatch(/^refused: "pipe" is not a regular file/);
    // Opening a pipe with no writer blocks forever: 20 s is far above a refusal's milliseconds, for a loaded machine.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('refuses to read or overwrite a file with more than one hard link', async () => {
    linkSync(path.join(outside, 'secret.txt'), path.join(root, 'hard'));
    const readErr = await toolError(call(read, { path: 'hard' }));
    expect(readErr.message).toBe('refused: "hard" has more than one hard link');
    expect(readErr.kind).toBe('refused');
    expect((await toolError(call(write, { path: 'hard', content: 'pwned' }))).kind).toBe('refused');
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('SECRET');
  });

  it('turns every errno into a tool error that names only the relative path', async () => {
    const long = `${'n'.repeat(300)}.txt`;
    const cases: Array<[BatonTool, Record<string, string>, RegExp]> = [
      [read, { path: long }, /name in ".*" is too long/],
      [write, { path: long, content: 'x' }, /name in ".*" is too long/],
      [write, { path: 'docs/a.txt/child.txt', content: 'x' }, /not a folder/],
      [list, { path: 'docs/a.txt' }, /not a folder/],
      [read, { path: 'docs' }, /is a folder: docs/],
      [write, { path: 'docs', content: 'x' }, /is a folder: docs/],
      [read, { path: 'docs/none.txt' }, /^no such file: docs\/none.txt$/],
    ];
    for (const [tool, args, message] of cases) {
      const err = await toolError(call(tool, args));
      expect(err.message, JSON.stringify(args)).toMatch(message);
      expect(err.message).not.toContain(base);
      expect(err.message).not.toContain('/proc/');
    }
  });

  it('still reads, lists and writes normal files, and follows links that stay inside', async () => {
    expect(await call(read, { path: 'docs/a.txt' })).toBe('inside');
    expect(await call(write, { path: 'new/deep/b.txt', content: 'hello' })).toEqual({ path: 'new/deep/b.txt', bytes: 5 });
    expect(readFileSync(path.join(root, 'new', 'deep', 'b.txt'), 'utf8')).toBe('hello');
    expect(await call(write, { path: 'docs/a.txt', content: 'in' })).toEqual({ path: 'docs/a.txt', bytes: 2 });
    expect(await call(read, { path: 'docs/a.txt' })).toBe('in');
    expect(await call(list, { path: 'new' })).toEqual([{ name: 'deep', type: 'dir', size: null }]);
    expect(existsSync(path.join(outside, 'b.txt'))).toBe(false);
  });
});
