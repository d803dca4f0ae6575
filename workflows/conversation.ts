/**
 * The conversation of an agent loop. Inline, every model step carries the whole
 * conversation (simple, needs no shared store, readable in the Web UI). Stored, a model
 * step carries only the messages added since the last step plus a reference, and the
 * model activity keeps the conversation in the content store: history per turn stays the
 * same size however long the conversation grows. An inline conversation switches to
 * stored once its messages pass `storeOver` characters of JSON (measured here, in the
 * workflow, so replay takes the same decision). Runs in the workflow sandbox.
 */
import { patched } from '@temporalio/workflow';
import type { HistoryFilter, Message, ModelResponse, StoredConversation } from '../core';
import { filterHistory } from '../core/conversation';

/** Marks runs that may switch to a stored conversation; histories recorded before it never do. */
export const storeSwitchPatch = 'baton-agent-conversation-store-switch';

function jsonChars(messages: Message[]): number {
  return messages.reduce((n, m) => n + JSON.stringify(m).length + 1, 0);
}

export class Conversation {
  /** Messages this run has seen (with a stored conversation, only those since the run started). */
  messages: Message[];
  private pending: Message[];
  private filter?: HistoryFilter;
  private inlineChars: number;

  constructor(
    initial: Message[],
    private storedMode: boolean,
    /** The stored conversation this run continues. */
    public ref?: string,
    /** Switch an inline conversation to stored past this many characters of JSON; false: never. */
    private readonly storeOver: number | false = false,
  ) {
    this.messages = [...initial];
    this.pending = [...initial];
    this.inlineChars = storedMode || storeOver === false ? 0 : jsonChars(initial);
  }

  /** Whether model steps pass the conversation by reference (from the start, or since the switch). */
  get stored(): boolean {
    return this.storedMode;
  }

  /** What the next model step sends. */
  request(): { messages: Message[]; conversation?: StoredConversation } {
    if (!this.storedMode && this.storeOver !== false && this.inlineChars > this.storeOver && patched(storeSwitchPatch)) {
      // This step sends the whole conversation one last time; the activity stores it as the base.
      this.storedMode = true;
      this.pending = [...this.messages];
      this.ref = undefined;
    }
    if (!this.storedMode) return { messages: this.messages };
    return { messages: this.pending, conversation: { ref: this.ref, filter: this.filter } };
  }

  replied(response: ModelResponse): void {
    this.messages.push(response.message);
    if (this.storedMode) {
      this.ref = response.conversationRef;
      this.pending = [];
      this.filter = undefined;
    } else this.grew([response.message]);
  }

  add(...messages: Message[]): void {
    this.messages.push(...messages);
    if (this.storedMode) this.pending.push(...messages);
    else this.grew(messages);
  }

  /** After a hand-off: the next agent sees the conversation through `mode`. */
  handOff(mode: HistoryFilter): void {
    this.messages = filterHistory(this.messages, mode);
    if (this.storedMode && mode !== 'full') this.filter = mode;
    if (!this.storedMode && this.storeOver !== false) this.inlineChars = jsonChars(this.messages);
  }

  private grew(messages: Message[]): void {
    if (this.storeOver !== false) this.inlineChars += jsonChars(messages);
  }
}
