/**
 * Encryption of the stores Baton keeps outside Temporal: with `encryption` on, content-store
 * entries (stored conversations, large tool results, agent settings), tool-cache results and
 * the tool-call ledger's results are sealed (./content-sealer.ts) before a store sees them, so
 * its files or PostgreSQL rows hold only ciphertext. A sealed content entry names its key id and
 * keeps its links (the refs it depends on, which retention follows) in the clear; refs, cache
 * keys and ledger keys are hashes or ids that history already holds. What was written before
 * encryption was turned on reads as it is. Without encryption nothing wraps the stores, so
 * their reads and writes cost nothing extra.
 */
import type { ContentStore } from '../activities/content-store';
import { linksOf } from '../activities/conversation-store';
import type { ToolCache } from '../activities/tool-cache';
import type { LedgerBegin, LedgerPruneReport, ToolLedger } from '../activities/tool-ledger';
import type { ToolResult } from '../core';
import { ContentSealer } from './content-sealer';
import { parseKeys } from './keys';
import { isSealedContent } from './sealed-content';
import { resolveEncryption, type EncryptionSettingsSchema } from './settings';
import type { z } from 'zod';

type EncryptionSetting = z.output<typeof EncryptionSettingsSchema> | undefined;

/** A content store whose entries are sealed with the payload keys (the first seals, any listed opens). */
export class EncryptedContentStore implements ContentStore {
  /** The inner store's retention: sealed entries keep their links in the clear, so it works unchanged. */
  readonly prune?: ContentStore['prune'];

  constructor(readonly inner: ContentStore, private readonly sealer: ContentSealer) {
    if (inner.prune) this.prune = inner.prune.bind(inner);
  }

  async put(value: unknown): Promise<string> {
    return this.inner.put(this.sealer.seal(value, linksOf(value)));
  }

  async get<T>(ref: string): Promise<T> {
    const stored = await this.inner.get<unknown>(ref);
    return (isSealedContent(stored) ? this.sealer.open(`content ${ref}`, stored) : stored) as T;
  }
}

/** A tool cache whose results are sealed the same way (keys are hashes already); plain entries still read. */
export class EncryptedToolCache implements ToolCache {
  readonly prune?: ToolCache['prune'];

  constructor(readonly inner: ToolCache, private readonly sealer: ContentSealer) {
    if (inner.prune) this.prune = inner.prune.bind(inner);
  }

  async get(key: string): Promise<string | undefined> {
    const stored = await this.inner.get(key);
    return stored === undefined ? undefined : openText(this.sealer, `tool-cache entry ${key}`, stored);
  }

  async set(key: string, content: string, ttlMs: number): Promise<void> {
    await this.inner.set(key, JSON.stringify(this.sealer.seal(content)), ttlMs);
  }
}

/** A sealed text's plain text; a text that is not sealed (written before encryption) as it is. */
function openText(sealer: ContentSealer, what: string, stored: string): string {
  if (!stored.startsWith('{"kind":"baton-sealed-content"')) return stored;
  const sealed: unknown = JSON.parse(stored);
  return isSealedContent(sealed) ? (sealer.open(what, sealed) as string) : stored;
}

/** A tool-call ledger whose recorded results are sealed (their content; the outcome flags and refs stay readable). */
export class EncryptedToolLedger implements ToolLedger {
  constructor(readonly inner: ToolLedger, private readonly sealer: ContentSealer) {}

  async begin(key: string, tool: string, since?: number): Promise<LedgerBegin> {
    const begun = await this.inner.begin(key, tool, since);
    if (begun.state !== 'completed') return begun;
    return { ...begun, result: { ...begun.result, content: openText(this.sealer, `tool-call ledger entry ${key}`, begun.result.content) } };
  }

  complete(key: string, tool: string, result: ToolResult, first?: boolean): Promise<void> {
    return this.inner.complete(key, tool, { ...result, content: JSON.stringify(this.sealer.seal(result.content)) }, first);
  }

  prune(olderThanMs: number): Promise<LedgerPruneReport> {
    return this.inner.prune(olderThanMs);
  }
}

/** The sealer for the config's keys; undefined when encryption is off. Throws EncryptionKeyError when keys are missing. */
function sealerFor(setting: EncryptionSetting, env: NodeJS.ProcessEnv): ContentSealer | undefined {
  const encryption = resolveEncryption(setting);
  return encryption ? new ContentSealer(parseKeys(env[encryption.keysEnv], encryption.keysEnv), encryption.keysEnv) : undefined;
}

/** `store`, sealed with the config's keys when `encryption` is on; `store` itself when it is off. */
export function withContentEncryption(store: ContentStore, setting: EncryptionSetting, env: NodeJS.ProcessEnv = process.env): ContentStore {
  if (store instanceof EncryptedContentStore) return store;
  const sealer = sealerFor(setting, env);
  return sealer ? new EncryptedContentStore(store, sealer) : store;
}

/** `ledger`, its results sealed with the config's keys when `encryption` is on; `ledger` itself when it is off. */
export function withLedgerEncryption(ledger: ToolLedger, setting: EncryptionSetting, env: NodeJS.ProcessEnv = process.env): ToolLedger {
  if (ledger instanceof EncryptedToolLedger) return ledger;
  const sealer = sealerFor(setting, env);
  return sealer ? new EncryptedToolLedger(ledger, sealer) : ledger;
}

/** `cache`, its results sealed with the config's keys when `encryption` is on; `cache` itself when it is off. */
export function withToolCacheEncryption(cache: ToolCache, setting: EncryptionSetting, env: NodeJS.ProcessEnv = process.env): ToolCache {
  if (cache instanceof EncryptedToolCache) return cache;
  const sealer = sealerFor(setting, env);
  return sealer ? new EncryptedToolCache(cache, sealer) : cache;
}
