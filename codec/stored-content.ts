/**
 * For display only (the codec server's `/decode` with `--resolve-content`): payloads that
 * carry content-store references (stored conversations, tool results kept by reference) get
 * the referenced content attached under `"baton:stored"`, so the Web UI shows the
 * conversation while the history itself stays small. Never used on the workers' data path.
 */
import type { Payload } from '@temporalio/common';
import { ConversationStore } from '../activities/conversation-store';
import type { ContentStore } from '../activities/content-store';

/** The key the resolved content is shown under, beside the payload's own fields. */
export const storedContentKey = 'baton:stored';
const maxShownChars = 1024 * 1024;

/** Every content-store reference in a decoded payload value: conversation refs and stored results. */
function referencesIn(value: unknown, found: Map<string, 'conversation' | 'content'>): void {
  if (Array.isArray(value)) return value.forEach((v) => referencesIn(v, found));
  if (!value || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    if (key === 'conversationRef' && typeof v === 'string') found.set(v, 'conversation');
    else if (key === 'conversation' && v && typeof v === 'object' && typeof (v as { ref?: unknown }).ref === 'string') found.set((v as { ref: string }).ref, 'conversation');
    else if (key === 'contentRef' && typeof v === 'string') found.set(v, 'content');
    else referencesIn(v, found);
  }
}

/** Resolves references in JSON payloads through `store`; other payloads pass unchanged. */
export function storedContentResolver(store: ContentStore): (payloads: Payload[]) => Promise<Payload[]> {
  const conversations = new ConversationStore(store, { maxChars: 16 * 1024 * 1024 });
  const resolve = async (ref: string, kind: 'conversation' | 'content'): Promise<unknown> => {
    try {
      const value = kind === 'conversation' ? await conversations.read(ref) : await store.get<unknown>(ref);
      const size = JSON.stringify(value).length;
      return size > maxShownChars ? `(${size} characters: too large to show here)` : value;
    } catch {
      return '(not in this content store: pruned, or kept in another machine\'s store)';
    }
  };
  return (payloads) => Promise.all(payloads.map(async (payload) => {
    if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== 'json/plain') return payload;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(payload.data ?? []).toString('utf8'));
    } catch {
      return payload;
    }
    const found = new Map<string, 'conversation' | 'content'>();
    referencesIn(value, found);
    if (!found.size || !value || typeof value !== 'object' || Array.isArray(value)) return payload;
    const stored = Object.fromEntries(await Promise.all([...found].map(async ([ref, kind]) => [ref, await resolve(ref, kind)] as const)));
    return { ...payload, data: Buffer.from(JSON.stringify({ ...value, [storedContentKey]: stored })) };
  }));
}
