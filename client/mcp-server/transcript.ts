/**
 * A run's conversation as readable messages, rebuilt from its history: each model call's
 * request (the whole conversation inline, or a content-store reference plus what was added)
 * and its reply. References are resolved through the configured content store when it is
 * reachable from here; otherwise the transcript says what is missing. A workflow-spec run's
 * transcript is its child runs', in order.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Message, ModelRequest, ModelResponse } from '../../core';
import { ConversationStore } from '../../activities/conversation-store';
import type { ContentStore } from '../../activities/content-store';
import { decodeHistory } from '../../codec/decode-history';
import { firstPayload } from '../inspect';

/** One readable message of a transcript. */
export const TranscriptMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool', 'note']),
  /** The agent that wrote an assistant message, or whose run a note is about. */
  agent: z.string().optional(),
  text: z.string(),
  toolCalls: z.array(z.object({ name: z.string(), arguments: z.unknown() })).optional(),
  /** The tool a tool message answers. */
  tool: z.string().optional(),
  isError: z.boolean().optional(),
});
/** One message of a transcript. */
export type TranscriptMessage = z.infer<typeof TranscriptMessageSchema>;

interface Reader { conversations?: ConversationStore; store?: ContentStore }

async function readStored(reader: Reader, ref: string): Promise<Message[] | undefined> {
  return reader.conversations?.read(ref).catch(() => undefined);
}

async function readable(reader: Reader, message: Message, agent?: string): Promise<TranscriptMessage> {
  switch (message.role) {
    case 'assistant': {
      const calls = message.toolCalls.map((c) => ({ name: c.name, arguments: c.arguments }));
      return { role: 'assistant', agent: message.agent ?? agent, text: message.content, ...(calls.length ? { toolCalls: calls } : {}) };
    }
    case 'tool': {
      const full = message.contentRef ? await reader.store?.get<string>(message.contentRef).catch(() => undefined) : undefined;
      return { role: 'tool', tool: message.name, text: typeof full === 'string' ? full : message.content, ...(message.isError ? { isError: true } : {}) };
    }
    default: return { role: message.role, text: message.content };
  }
}

/** The transcript of one workflow execution (and, for a spec run, its children's), oldest first. */
export async function buildTranscript(client: Client, workflowId: string, store: ContentStore | undefined, depth = 3): Promise<TranscriptMessage[]> {
  const reader: Reader = { store, conversations: store ? new ConversationStore(store) : undefined };
  const history = await decodeHistory(client, await client.workflow.getHandle(workflowId).fetchHistory());
  const out: TranscriptMessage[] = [];
  const requests = new Map<string, ModelRequest>();
  let shown = 0;
  let lastAgent: string | undefined;
  let baseRead = false;
  const readBase = async (ref: string) => {
    baseRead = true;
    const base = await readStored(reader, ref);
    if (!base) return out.push({ role: 'note', text: `earlier messages are in the content store (${ref}), not reachable from here` });
    for (const message of base) out.push(await readable(reader, message));
    shown = base.length;
  };
  for (const event of history.events ?? []) {
    // A session continued as new (or a run continuing a stored conversation) starts from a reference.
    const input = firstPayload(event.workflowExecutionStartedEventAttributes?.input) as { conversationRef?: unknown } | undefined;
    if (typeof input?.conversationRef === 'string') await readBase(input.conversationRef);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'callModel') {
      const request = firstPayload(scheduled.input) as ModelRequest;
      requests.set(String(event.eventId), request);
      const handedFrom = lastAgent !== undefined && request.agent.name !== lastAgent ? lastAgent : undefined;
      lastAgent = request.agent.name;
      const ref = request.conversation?.ref;
      if (ref) {
        // Stored: the request carries only what was added since `ref`; the start is read once.
        if (!baseRead && shown === 0) await readBase(ref);
        for (const message of request.messages) out.push(await readable(reader, message));
        shown += request.messages.length;
      } else {
        // Inline: the request carries the whole conversation; one shorter than shown was filtered by a hand-off.
        if (request.messages.length < shown) shown = request.messages.length;
        for (const message of request.messages.slice(shown)) out.push(await readable(reader, message));
        shown = request.messages.length;
      }
      if (handedFrom) out.push({ role: 'note', agent: request.agent.name, text: `hand-off ${handedFrom} → ${request.agent.name}` });
    }
    const completed = event.activityTaskCompletedEventAttributes;
    const request = completed ? requests.get(String(completed.scheduledEventId)) : undefined;
    if (completed && request) {
      const response = firstPayload(completed.result) as ModelResponse;
      out.push(await readable(reader, response.message, request.agent.name));
      shown++;
    }
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    if (child && depth > 0) {
      const messages = await buildTranscript(client, child, store, depth - 1).catch(() => []);
      if (messages.length) out.push({ role: 'note', text: `child run ${child}` }, ...messages);
    }
  }
  return out;
}

/** The transcript as markdown: one heading per message. */
export function transcriptMarkdown(id: string, messages: TranscriptMessage[]): string {
  const parts = [`# Transcript of ${id}`];
  for (const m of messages) {
    if (m.role === 'note') {
      parts.push(`*${m.text}*`);
      continue;
    }
    const who = m.role === 'assistant' ? `assistant${m.agent ? ` (${m.agent})` : ''}` : m.role === 'tool' ? `tool ${m.tool ?? ''}${m.isError ? ' (error)' : ''}` : m.role;
    const calls = (m.toolCalls ?? []).map((c) => `- calls \`${c.name}\` with \`${JSON.stringify(c.arguments)}\``).join('\n');
    parts.push(`## ${who}\n\n${[m.text, calls].filter(Boolean).join('\n\n')}`);
  }
  return parts.join('\n\n');
}
