/**
 * Stored conversations as a chain of appended segments. A model step writes only the
 * messages it adds, `{ kind: 'conversation-segment', prev, messages }`, content-addressed
 * in the content store, so a session of n turns writes O(n) bytes rather than a full copy
 * per turn. Reading walks `prev` back to the start; the worker keeps assembled
 * conversations in a bounded LRU, so the usual read (the ref this worker wrote one turn
 * ago) costs no store read at all; tool results kept by reference are cached the same way,
 * so a long run does not re-read every stored result each turn. Entries written before
 * segments (a whole conversation as one array) still read, and the next step re-bases
 * onto a segment once.
 */
import type { Message } from '../core';
import { isSealedContent } from '../codec/sealed-content';
import { BoundedCache } from './bounded-cache';
import type { ContentStore } from './content-store';

/** One stored step of a conversation: what it added to `prev` (null: the start). */
export interface ConversationSegment {
  kind: 'conversation-segment';
  prev: string | null;
  messages: Message[];
}

/** Whether a stored value is a segment (anything else is a whole, pre-segment conversation). */
export function isSegment(value: unknown): value is ConversationSegment {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'conversation-segment';
}

/** The refs a stored value depends on (its previous segment, tool results kept by reference). */
export function linksOf(value: unknown): string[] {
  if (isSealedContent(value)) return value.links;
  const messages = isSegment(value) ? value.messages : Array.isArray(value) ? (value as Message[]) : [];
  const refs = messages.flatMap((m) => (m && m.role === 'tool' && typeof m.contentRef === 'string' ? [m.contentRef] : []));
  return isSegment(value) && value.prev ? [value.prev, ...refs] : refs;
}

interface Assembled {
  messages: Message[];
  /** JSON characters of the whole conversation (the cache's measure). */
  size: number;
  /** False for a whole pre-segment conversation: the next step writes a fresh base segment. */
  appendable: boolean;
}

/** Bounds of the worker's caches (assembled conversations; tool results kept by reference). */
export interface ConversationCacheLimits {
  /** Total JSON characters of conversations kept (default 64 MB); one larger than this is not kept. */
  maxChars?: number;
  maxEntries?: number;
  /** Total characters of stored tool results kept (default 32 MB). */
  maxResultChars?: number;
}

/** Reads and appends stored conversations over a content store, with bounded caches. */
export class ConversationStore {
  private readonly conversations: BoundedCache<Assembled>;
  private readonly results: BoundedCache<string>;

  constructor(readonly store: ContentStore, limits: ConversationCacheLimits = {}) {
    this.conversations = new BoundedCache(limits.maxChars ?? 64 * 1024 * 1024, limits.maxEntries ?? 1000);
    this.results = new BoundedCache(limits.maxResultChars ?? 32 * 1024 * 1024, limits.maxEntries ?? 1000);
  }

  /** The whole conversation `ref` points at. */
  async read(ref: string): Promise<Message[]> {
    return (await this.assemble(ref)).messages;
  }

  /** `messages` with every tool result kept by reference read back in full, for the model. */
  async withStoredResults(messages: Message[]): Promise<Message[]> {
    return Promise.all(messages.map(async (m) => (m.role === 'tool' && m.contentRef ? { ...m, content: await this.storedResult(m.contentRef) } : m)));
  }

  /**
   * Stores `whole`, the conversation `prev` continued by `added`, and returns its ref.
   * With no `prev` (or after a filter, or over a pre-segment entry) the segment holds `whole`.
   */
  async append(prev: string | undefined, added: Message[], whole: Message[]): Promise<string> {
    const base = prev ? await this.assemble(prev) : undefined;
    const chained = base?.appendable === true && base.messages.length + added.length === whole.length;
    const segment: ConversationSegment = { kind: 'conversation-segment', prev: chained ? (prev as string) : null, messages: chained ? added : whole };
    const ref = await this.store.put(segment);
    const size = (chained ? base.size : 0) + JSON.stringify(segment.messages).length;
    this.conversations.set(ref, { messages: whole, size, appendable: true }, size);
    return ref;
  }

  private async storedResult(ref: string): Promise<string> {
    const hit = this.results.get(ref);
    if (hit !== undefined) return hit;
    const text = await this.store.get<string>(ref);
    this.results.set(ref, text, text.length);
    return text;
  }

  private async assemble(ref: string): Promise<Assembled> {
    const chain: ConversationSegment[] = [];
    let start: Assembled = { messages: [], size: 0, appendable: true };
    for (let cursor: string | null = ref; cursor; ) {
      const hit = this.conversations.get(cursor);
      if (hit) {
        start = hit;
        break;
      }
      const value: unknown = await this.store.get<unknown>(cursor);
      if (isSegment(value)) {
        chain.push(value);
        cursor = value.prev;
      } else if (Array.isArray(value)) {
        start = { messages: value as Message[], size: JSON.stringify(value).length, appendable: false };
        break;
      } else throw new Error(`content ${cursor} is not a stored conversation`);
    }
    if (chain.length === 0) return start;
    let { messages, size } = start;
    for (const segment of chain.reverse()) {
      messages = messages.concat(segment.messages);
      size += JSON.stringify(segment.messages).length;
    }
    const assembled = { messages, size, appendable: true };
    this.conversations.set(ref, assembled, size);
    return assembled;
  }
}
