/**
 * Encryption of the content store, the tool cache and the tool-call ledger
 * (codec/encrypted-stores.ts) over the real file stores and a real PostgreSQL server: no
 * plaintext at rest, one ref per value, retention still follows a conversation's links,
 * entries written before encryption still read, and a missing or wrong key is an error
 * naming its id.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileContentStore, type ContentStore } from '../activities/content-store';
import { ConversationStore } from '../activities/conversation-store';
import type { Message } from '../core';
import { EncryptedContentStore, withContentEncryption, withLedgerEncryption, withToolCacheEncryption } from '../codec/encrypted-stores';
import { ContentSealer } from '../codec/content-sealer';
import { FileToolCache } from '../activities/tool-cache';
import { FileToolLedger } from '../activities/tool-ledger';
import { PostgresToolLedger } from '../activities/postgres-ledger';
import { EncryptionKeyError, parseKeys } from '../codec/keys';
import { usePostgres } from './helpers/postgres';

const db = usePostgres('BATON_TEST_CONTENT_ENCRYPTION_DB');
const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const env = { BATON_ENCRYPTION_KEYS: `k2:${k2},k1:${k1}` };
const secret = 'CONTENTMARK-6a1f';

/** Every byte under a folder. */
function bytesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'latin1'))
    .join('\n');
}

/** Stores a two-step conversation whose tool result goes by reference; returns the refs. */
async function storeConversation(store: ContentStore) {
  const conversations = new ConversationStore(store);
  const result = await store.put(`the vault says ${secret}`);
  const first: Message[] = [{ role: 'user', content: `open ${secret}` }, { role: 'tool', toolCallId: 'c1', name: 'vault', content: 'preview', isError: false, contentRef: result }];
  const start = await conversations.append(undefined, first, first);
  const reply: Message = { role: 'assistant', content: `done: ${secret}`, toolCalls: [] };
  const latest = await conversations.append(start, [reply], [...first, reply]);
  return { result, start, latest };
}

describe('content-store encryption', () => {
  it('keeps a conversation and its stored tool result out of the file store in clear, and reads them back', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-sealed-'));
    const store = withContentEncryption(new FileContentStore(dir), true, env);
    const { result, latest } = await storeConversation(store);
    expect(bytesUnder(dir)).not.toContain(secret);
    expect(bytesUnder(dir)).toContain('"keyId":"k2"');
    const messages = await new ConversationStore(store).withStoredResults(await new ConversationStore(store).read(latest));
    expect(messages.map((m) => m.content)).toEqual([`open ${secret}`, `the vault says ${secret}`, `done: ${secret}`]);
    // The same value seals to the same entry: one ref, as without encryption.
    expect(await store.put(`the vault says ${secret}`)).toBe(result);
    // Control: the plain store holds the same content readable.
    const plainDir = mkdtempSync(path.join(os.tmpdir(), 'baton-plain-'));
    await storeConversation(new FileContentStore(plainDir));
    expect(bytesUnder(plainDir)).toContain(secret);
  });

  it('prunes sealed entries by their links, without the keys', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-sealed-prune-'));
    const store = withContentEncryption(new FileContentStore(dir), true, env);
    const { result, start, latest } = await storeConversation(store);
    const abandoned = await store.put({ kind: 'conversation-segment', prev: null, messages: [{ role: 'user', content: 'old chat' }] });
    // Everything is 40 days old except the conversation's latest segment, which links to the rest.
    const fileOf = (ref: string) => path.join(dir, ref.slice(7, 9), `${ref.slice(7)}.json`);
    const old = new Date(Date.now() - 40 * 86_400_000);
    for (const ref of [result, start, abandoned]) utimesSync(fileOf(ref), old, old);
    // The plain store prunes, as `baton store prune` without keys would.
    expect(await new FileContentStore(dir).prune(30 * 86_400_000)).toMatchObject({ removed: 1, kept: 3 });
    await expect(store.get(abandoned)).rejects.toThrow(/is not in the store/);
    const conversations = new ConversationStore(store);
    expect((await conversations.withStoredResults(await conversations.read(latest))).map((m) => m.content)).toEqual([`open ${secret}`, `the vault says ${secret}`, `done: ${secret}`]);
  });

  it('seals PostgreSQL rows, keeps their links for retention, and reads rows written before encryption', async () => {
    const inner = db.backend.contentStore();
    const before = await inner.put([{ role: 'user', content: `plain ${secret}` }]);
    const store = withContentEncryption(inner, { keysEnv: 'BATON_ENCRYPTION_KEYS', codecServer: { uiOrigins: ['http://localhost:8233'], tokenEnv: 'BATON_CODEC_TOKEN' } }, env);
    const { result, start, latest } = await storeConversation(store);
    const { rows } = await db.backend.pool.query<{ ref: string; value: string; links: string[] }>('SELECT ref, value, links FROM baton_content WHERE ref = ANY($1)', [[result, start, latest]]);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.value).not.toContain(secret);
    expect(rows.find((r) => r.ref === latest)?.links).toEqual([start]);
    expect(rows.find((r) => r.ref === start)?.links).toEqual([result]);
    expect(await new ConversationStore(store).read(latest)).toHaveLength(3);
    expect(await store.get(before)).toEqual([{ role: 'user', content: `plain ${secret}` }]);
  });

  it('seals tool-cache results in the cache\'s files and PostgreSQL rows; results cached before encryption still read', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-sealed-cache-'));
    const plainFiles = new FileToolCache(dir);
    await plainFiles.set('vault:old', `cached before ${secret}`, 60_000);
    for (const inner of [plainFiles, db.backend.toolCache()]) {
      const cache = withToolCacheEncryption(inner, true, env);
      await cache.set('vault:abc', `the vault says ${secret}`, 60_000);
      expect(await cache.get('vault:abc')).toBe(`the vault says ${secret}`);
      expect(await inner.get('vault:abc')).toMatch(/^\{"kind":"baton-sealed-content","keyId":"k2"/);
      expect(await cache.get('vault:none')).toBeUndefined();
    }
    expect(bytesUnder(dir)).not.toContain(`the vault says ${secret}`);
    const { rows } = await db.backend.pool.query<{ content: string }>('SELECT content FROM baton_tool_cache');
    expect(rows.map((r) => r.content).join('\n')).not.toContain(secret);
    expect(await withToolCacheEncryption(plainFiles, true, env).get('vault:old')).toBe(`cached before ${secret}`);
    const missing = withToolCacheEncryption(plainFiles, true, { BATON_ENCRYPTION_KEYS: `k1:${k1}` }).get('vault:abc');
    await expect(missing).rejects.toThrow('tool-cache entry vault:abc is encrypted with key "k2", which is not in BATON_ENCRYPTION_KEYS (it has k1)');
  });

  it('seals the results the tool-call ledger records, in its files and PostgreSQL rows, and answers a retry with the plain result', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-sealed-ledger-'));
    const result = { content: `paid ${secret}`, isError: false };
    for (const [n, inner] of [new FileToolLedger(dir), new PostgresToolLedger(db.backend.pool)].entries()) {
      const ledger = withLedgerEncryption(inner, true, env);
      for (const first of [true, false]) {
        const key = `wf/run/call_${n}_${first}`;
        expect(await ledger.begin(key, 'pay')).toEqual({ state: 'new' });
        await ledger.complete(key, 'pay', result, first);
        expect(await ledger.begin(key, 'pay', Date.now() - 60_000)).toEqual({ state: 'completed', result });
        const raw = await inner.begin(key, 'pay', Date.now() - 60_000);
        expect(raw.state === 'completed' && raw.result.content).toMatch(/^\{"kind":"baton-sealed-content"/);
      }
    }
    expect(bytesUnder(dir)).not.toContain(secret);
    const { rows } = await db.backend.pool.query<{ result: string }>('SELECT result FROM baton_tool_ledger');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.map((r) => r.result).join('\n')).not.toContain(secret);
  });

  it('names the key id when a key is missing or wrong, and reads old entries after a rotation', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-sealed-keys-'));
    const ref = await withContentEncryption(new FileContentStore(dir), true, env).put(`sealed ${secret}`);
    const only = (keys: string) => new EncryptedContentStore(new FileContentStore(dir), new ContentSealer(parseKeys(keys), 'BATON_ENCRYPTION_KEYS'));
    const missing = only(`k1:${k1}`).get(ref);
    await expect(missing).rejects.toThrow(EncryptionKeyError);
    await expect(missing).rejects.toThrow(`content ${ref} is encrypted with key "k2", which is not in BATON_ENCRYPTION_KEYS (it has k1): add k2:<its base64 key> to BATON_ENCRYPTION_KEYS`);
    await expect(only(`k2:${k1}`).get(ref)).rejects.toThrow(`cannot decrypt content ${ref} encrypted with key "k2": the key "k2" in BATON_ENCRYPTION_KEYS is not the one it was encrypted with`);
    expect(await only(`k3:${randomBytes(32).toString('base64')},k2:${k2}`).get(ref)).toBe(`sealed ${secret}`);
    expect(() => withContentEncryption(new FileContentStore(dir), true, {})).toThrow('encryption is on but BATON_ENCRYPTION_KEYS is not set');
    // Off: the store is used as it is, with nothing wrapped around it.
    const plain = new FileContentStore(dir);
    expect(withContentEncryption(plain, false, env)).toBe(plain);
  });
});
