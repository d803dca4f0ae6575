/**
 * The conversation of an agent loop. Inline, every model step carries the whole
 * conversation (simple, and needs no shared store). Stored, a model step carries only
 * the messages added since the last step plus a reference, and the model activity
 * keeps the conversation in the content store: history per turn stays the same size
 * however long the conversation grows. Runs in the workflow sandbox.
 */
import type { HistoryFilter, Message, ModelResponse, StoredConversation } from '../core';
import { filterHistory } from '../core/conversation';

export class Conversation {
  /** Messages this run has seen (with a stored conversation, only those since the run started). */
  messages: Message[];
  private pending: Message[];
  private filter?: HistoryFilter;

  constructor(
    initial: Message[],
    private readonly stored: boolean,
    /** The stored conversation this run continues. */
    public ref?: string,
  ) {
    this.messages = [...initial];
    this.pending = [...initial];
  }

  /** What the next model step sends. */
  request(): { messages: Message[]; conversation?: StoredConversation } {
    if (!this.stored) return { messages: this.messages };
    return { messages: this.pending, conversation: { ref: this.ref, filter: this.filter } };
  }

  replied(response: ModelResponse): void {
    this.messages.push(response.message);
    if (this.stored) {
      this.ref = response.conversationRef;
      this.pending = [];
      this.filter = undefined;
    }
  }

  add(...messages: Message[]): void {
    this.messages.push(...messages);
    if (this.stored) this.pending.push(...messages);
  }

  /** After a hand-off: the next agent sees the conversation through `mode`. */
  handOff(mode: HistoryFilter): void {
    this.messages = filterHistory(this.messages, mode);
    if (this.stored && mode !== 'full') this.filter = mode;
  }
}
