/**
 * `sessionWorkflow`: a long chat with an agent. Each user message arrives through the
 * `sendMessage` Update, which returns the agent's reply. The conversation lives in the
 * content store, so history per turn stays flat, and the run continues-as-new every
 * `maxTurnsPerRun` turns (or when Temporal suggests it), carrying only a reference.
 * Runs in the workflow sandbox.
 */
import { allHandlersFinished, condition, continueAsNew, defineQuery, defineSignal, defineUpdate, patched, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { asWorkflowFailure } from './failures';
import type { z } from 'zod';
import type { SessionInputSchema } from './schemas';
import { schemas } from './lazy-schemas';
import type { AgentRunState, AgentSpec, Usage } from '../core';
import { addUsage, emptyUsage } from '../core/usage';
import { specHash } from '../core/hash';
import { runAgentLoop } from './agent-loop';
import { ApprovalDesk } from './approvals';
import { trustedOrParsed } from './validate-input';
import { runFinished, runStarted } from './telemetry';

export type SessionInput = z.input<typeof SessionInputSchema>;
type ParsedSessionInput = z.output<typeof SessionInputSchema>;

export interface SessionReply {
  turn: number;
  agent: string;
  reply: string;
  /** Usage of this turn only. */
  usage: Usage;
}

export interface SessionState {
  status: 'idle' | 'answering' | 'ended';
  agent: string;
  turns: number;
  turnsThisRun: number;
  usage: Usage;
  conversationRef?: string;
}

export const sendMessageUpdate = defineUpdate<SessionReply, [{ text: string }]>('sendMessage');
export const endSessionSignal = defineSignal('endSession');
export const sessionStateQuery = defineQuery<SessionState>('sessionState');

function usageDelta(after: Usage, before: Usage): Usage {
  return addUsage(after, { inputTokens: -before.inputTokens, outputTokens: -before.outputTokens, costUsd: -before.costUsd, latencyMs: -before.latencyMs, modelCalls: -before.modelCalls, toolCalls: -before.toolCalls });
}

export async function sessionWorkflow(input: SessionInput): Promise<SessionState> {
  try {
    return await runSession(input);
  } catch (err) {
    throw asWorkflowFailure(err, `session ${workflowInfo().workflowId}`);
  }
}

async function runSession(input: SessionInput): Promise<SessionState> {
  const session = trustedOrParsed<ParsedSessionInput>(input, () => schemas().SessionInputSchema, 'session input');
  const agents = new Map<string, AgentSpec>([session.agent, ...session.team].map((a) => [a.name, a]));
  const state: SessionState = { status: 'idle', agent: session.agent.name, turns: session.turns, turnsThisRun: 0, usage: session.usage ?? emptyUsage(), conversationRef: session.conversationRef };
  const loopState: AgentRunState = { status: 'running', agent: state.agent, turn: 0, maxTurns: session.agent.limits.maxTurns, usage: state.usage, specHash: specHash(session.agent), path: [state.agent], pendingApprovals: [], approvals: [], cacheHits: 0, refusedCalls: [] };
  const info = workflowInfo();
  const refresh = () => setCurrentDetails(`**session with ${state.agent}** · ${state.status} · ${state.turns} turns (${state.turnsThisRun} in this run)`);
  const desk = new ApprovalDesk(loopState, refresh);
  const modelSpecRefs = new Map<string, string>();
  const inbox: Array<{ id: number; text: string }> = [];
  const replies = new Map<number, SessionReply>();
  let nextId = 0;
  let ended = false;
  // Each Update answers its own message, one at a time, in arrival order (patched: runs recorded
  // before handed every message to the main loop, two conditions and their promises per turn).
  const direct = patched('baton-session-direct-turns');
  const waiting: number[] = [];
  let answering = false;

  // Defined before the handlers: an Update buffered with the run's start runs as soon as its handler is set.
  const answer = async (text: string): Promise<SessionReply> => {
    state.status = 'answering';
    refresh();
    const before = loopState.usage;
    const agent = agents.get(state.agent) as AgentSpec;
    const result = await runAgentLoop(
      { agent, team: [...agents.values()].filter((a) => a.name !== agent.name), tools: session.tools, input: [{ role: 'user', content: text }], conversation: 'store', conversationRef: state.conversationRef, maxHandoffs: 10 },
      loopState,
      { workflowId: info.workflowId, runId: info.runId, desk, onStateChange: refresh, modelSpecRefs },
    );
    Object.assign(state, { status: 'idle', agent: result.agent, conversationRef: result.conversationRef, usage: loopState.usage, turns: state.turns + 1, turnsThisRun: state.turnsThisRun + 1 });
    refresh();
    return { turn: state.turns, agent: result.agent, reply: result.output, usage: usageDelta(loopState.usage, before) };
  };

  setHandler(sessionStateQuery, () => state);
  setHandler(endSessionSignal, () => void (ended = true));
  setHandler(
    sendMessageUpdate,
    async ({ text }) => {
      const id = nextId++;
      if (direct) {
        if (answering || waiting.length) {
          waiting.push(id);
          await condition(() => !answering && waiting[0] === id);
          waiting.shift();
        }
        answering = true;
        try {
          return await answer(text);
        } finally {
          answering = false;
        }
      }
      inbox.push({ id, text });
      await condition(() => replies.has(id));
      const reply = replies.get(id) as SessionReply;
      replies.delete(id);
      return reply;
    },
    {
      validator: (message) => {
        if (ended) throw new Error('this session has ended');
        if (typeof message?.text !== 'string' || !message.text.trim()) throw new Error('text: expected a non-empty string');
      },
      description: 'Send a user message; returns the agent\'s reply',
    },
  );

  // Counted once per session, not once per continue-as-new.
  if (session.turns === 0) runStarted('session', session.agent.name);
  const shouldRotate = () => state.turnsThisRun >= session.maxTurnsPerRun || workflowInfo().continueAsNewSuggested;
  refresh();
  for (;;) {
    await condition(() => inbox.length > 0 || ended || shouldRotate());
    // Only runs recorded before the direct turns queue messages here.
    const next = inbox.shift();
    if (next) {
      replies.set(next.id, await answer(next.text));
      continue;
    }
    if (ended) {
      if (!allHandlersFinished()) await condition(allHandlersFinished);
      state.status = 'ended';
      runFinished('session', 'completed', session.agent.name);
      return state;
    }
    await condition(() => inbox.length > 0 || allHandlersFinished());
    if (inbox.length === 0) {
      const agent = agents.get(state.agent) as AgentSpec;
      return continueAsNew<typeof sessionWorkflow>({ ...session, agent, team: [...agents.values()].filter((a) => a.name !== agent.name), conversationRef: state.conversationRef, turns: state.turns, usage: state.usage, validated: true });
    }
  }
}
