/**
 * Retention of the embedded stores: `prune` removes entries older than the retention that
 * nothing younger needs, keeps fresh ones (and every segment of a live conversation), and
 * `baton store prune` reports it. Store files and folders are readable only by their owner.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileContentStore, FileToolCache } from '../activities';
import { ConversationStore } from '../activities/conversation-store';
import { FileToolLedger } from '../activities/tool-ledger';
import type { Message } from '../core';

const day = 86_400_000;
const tempDir = (name: string) => mkdtempSync(path.join(os.tmpdir(), `baton-${name}-`));

/** Every file and folder under `dir` (inclusive), with its permission bits. */
function modes(dir: string): Array<{ entry: string; dir: boolean; mode: number }> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => path.join(e.parentPath, e.name));
  return entries.map((entry) => ({ entry, dir: statSync(entry).isDirectory(), mode: statSync(entry).mode & 0o777 }));
}

/** Makes a store entry look written `days` ago. */
function age(file: string, days: number): void {
  const when = new Date(Date.now() - days * day);
  utimesSync(file, when, when);
}

describe('store retention', () => {
  it('prunes old content nothing young links to, keeping a live conversation\'s old segments and stored results', async () => {
    const dir = tempDir('content');
    const store = new FileContentStore(dir);
    const conversations = new ConversationStore(store);
    const fileOf = (ref: string) => path.join(dir, ref.slice(7, 9), `${ref.slice(7)}.json`);
    const result = await store.put('a large tool result');
    const first: Message[] = [{ role: 'user', content: 'hi' }, { role: 'tool', toolCallId: 'c1', name: 'read', content: 'preview', isError: false, contentRef: result }];
    const liveStart = await conversations.append(undefined, first, first);
    const second: Message[] = [{ role: 'assistant', content: 'hello', toolCalls: [] }];
    const liveNow = await conversations.append(liveStart, second, [...first, ...second]);
    const abandoned = await store.put({ kind: 'conversation-segment', prev: null, messages: [{ role: 'user', content: 'old chat' }] });
    const oldResult = await store.put('an old result nobody needs');
    const fresh = await store.put('written today');
    for (const ref of [result, liveStart, abandoned, oldResult]) age(fileOf(ref), 40);
    age(fileOf(liveNow), 1);
    writeFileSync(path.join(dir, 'ab.json.123.tmp'), 'a crashed write');
    age(path.join(dir, 'ab.json.123.tmp'), 40);

    const dry = await store.prune(30 * day, { dryRun: true });
    expect(dry).toMatchObject({ removed: 3, kept: 4 });
    await expect(store.get(abandoned)).resolves.toBeTruthy();

    const report = await store.prune(30 * day);
    expect(report.removed).toBe(3);
    expect(report.bytes).toBeGreaterThan(60);
    expect(report.kept).toBe(4);
    await expect(store.get(abandoned)).rejects.toThrow(/not in the store/);
    await expect(store.get(oldResult)).rejects.toThrow(/not in the store/);
    expect(await store.get(fresh)).toBe('written today');
    expect(await new ConversationStore(store).read(liveNow)).toEqual([...first, ...second]);
    expect(await store.get(result)).toBe('a large tool result');
  });

  it('prunes tool-cache entries that expired or are older than the retention', async () => {
    const dir = tempDir('cache');
    const cache = new FileToolCache(dir);
    await cache.set('tool:old', 'old', 90 * day);
    await cache.set('tool:expired', 'expired', 1);
    await cache.set('tool:fresh', 'fresh', 90 * day);
    age(path.join(dir, `${createHash('sha256').update('tool:old').digest('hex')}.json`), 40);
    await new Promise((r) => setTimeout(r, 5));
    expect(await cache.prune(30 * day)).toMatchObject({ removed: 2, kept: 1 });
    expect(await cache.get('tool:old')).toBeUndefined();
    expect(await cache.get('tool:fresh')).toBe('fresh');
    expect(readdirSync(dir)).toHaveLength(1);
  });

  it('creates store files 0600 and folders 0700', async () => {
    const root = tempDir('modes');
    const content = new FileContentStore(path.join(root, 'content', 'nested'));
    await content.put({ hello: 'world' });
    await new ConversationStore(content).append(undefined, [{ role: 'user', content: 'hi' }], [{ role: 'user', content: 'hi' }]);
    const cache = new FileToolCache(path.join(root, 'cache'));
    await cache.set('tool:a', 'cached', 60_000);
    const entries = modes(root);
    expect(entries.filter((e) => !e.dir)).toHaveLength(3);
    for (const e of entries) expect({ entry: e.entry, mode: e.mode.toString(8) }).toEqual({ entry: e.entry, mode: e.dir ? '700' : '600' });
  });

  it('stores again into a folder removed after an earlier write (the folder is made once, and again when it went away)', async () => {
    const dir = path.join(tempDir('gone'), 'content');
    const store = new FileContentStore(dir);
    const first = await store.put({ n: 1 });
    rmSync(dir, { recursive: true });
    const again = await store.put({ n: 1 });
    expect(again).toBe(first);
    await expect(store.get(again)).resolves.toEqual({ n: 1 });
    expect(modes(dir).map((e) => e.mode.toString(8))).toEqual(['700', '600']);
  });

  it('creates a new entry in place (no temp file left); storing an existing one again replaces it whole, even one cut short by a crash', async () => {
    const dir = path.join(tempDir('in-place'), 'content');
    const store = new FileContentStore(dir);
    const ref = await store.put({ segment: 'x'.repeat(100) });
    const file = path.join(dir, ref.slice(7, 9), `${ref.slice(7)}.json`);
    expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
    writeFileSync(file, '{"segment":"xx');
    age(file, 3);
    expect(await store.put({ segment: 'x'.repeat(100) })).toBe(ref);
    await expect(store.get(ref)).resolves.toEqual({ segment: 'x'.repeat(100) });
    expect(statSync(file).mtimeMs).toBeGreaterThan(Date.now() - day);
    expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it('baton store prune reports what it removed, and --dry-run removes nothing', async () => {
    const root = tempDir('cli');
    const contentDir = path.join(root, 'content');
    const store = new FileContentStore(contentDir);
    const old = await store.put('old content');
    await store.put('new content');
    age(path.join(contentDir, old.slice(7, 9), `${old.slice(7)}.json`), 10);
    const ledgerDir = path.join(root, 'cache', 'ledger');
    const ledger = new FileToolLedger(ledgerDir);
    await ledger.begin('run-1/call-1', 'pay');
    for (const name of readdirSync(ledgerDir)) age(path.join(ledgerDir, name), 40);
    await ledger.begin('run-2/call-1', 'pay');
    const config = path.join(root, 'baton.config.ts');
    const defineConfig = path.join(__dirname, '..', 'config', 'define-config');
    writeFileSync(config, `import { defineConfig } from ${JSON.stringify(defineConfig)};\nexport default defineConfig({ providers: {}, agents: {}, contentStore: { dir: ${JSON.stringify(contentDir)}, retention: '7d' }, toolCache: { dir: ${JSON.stringify(path.join(root, 'cache'))} } });\n`);
    const baton = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', '--config', config, ...args], { cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 60_000 });
    const dry = baton('store', 'prune', '--dry-run');
    expect(dry.stderr).toBe('');
    expect(dry.stdout).toMatch(/content store\s+\S+content\s+7d\s+1 entry \(13 B\)\s+1/);
    expect(dry.stdout).toMatch(/would remove/);
    await expect(store.get(old)).resolves.toBe('old content');
    const longer = baton('store', 'prune', '--older-than', '30d');
    expect(longer.stdout).toMatch(/content store\s+\S+\s+30d\s+0 entries/);
    const real = baton('store', 'prune');
    expect(real.status).toBe(0);
    expect(real.stdout).toMatch(/content store\s+\S+\s+7d\s+1 entry \(13 B\)\s+1/);
    expect(real.stdout).toMatch(/tool cache\s+\S+cache\s+30d\s+0 entries \(0 B\)\s+0/);
    expect(dry.stdout).toMatch(/tool-call ledger\s+\S+ledger\s+30d\s+left alone \(no dry run\)/);
    expect(longer.stdout).toMatch(/tool-call ledger\s+\S+ledger\s+30d\s+1 entry\s+1/);
    expect(readdirSync(ledgerDir)).toHaveLength(1);
    await expect(store.get(old)).rejects.toThrow(/not in the store/);
    const bad = baton('store', 'prune', '--older-than', 'soon');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--older-than: expected a duration/);
  }, 120_000);
});
