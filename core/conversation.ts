/** Conversation helpers shared by workflows and activities. Runs in the sandbox. */
import type { Message } from './messages';

export type HistoryFilter = 'full' | 'text-only' | 'input-only';

/** What the next agent sees of the conversation so far. */
export function filterHistory(messages: Message[], mode: HistoryFilter): Message[] {
  if (mode === 'full') return messages;
  if (mode === 'input-only') return messages.filter((m) => m.role === 'user');
  return messages.flatMap((m): Message[] => {
    if (m.role === 'tool') return [];
    if (m.role === 'assistant') return m.content ? [{ ...m, toolCalls: [] }] : [];
    return [m];
  });
}
