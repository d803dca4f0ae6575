/** The scripted model's own bookkeeping: what a long-running scripted worker keeps. */
import { describe, expect, it } from 'vitest';
import { ScriptedModel } from '../activities/providers/scripted';
import type { ModelRequest } from '../core';

const request = (turn: number) => ({ agent: { name: 'a', provider: 'scripted', model: 's', instructions: '' }, tools: [], messages: [{ role: 'user', content: `message ${turn}` }], turn }) as unknown as ModelRequest;

describe('the scripted model', () => {
  it('keeps the first 1000 requests in calls, in order, and counts every request past them', async () => {
    const model = ScriptedModel.respondWith(() => ({ text: 'ok' }));
    const signal = new AbortController().signal;
    for (let turn = 1; turn <= ScriptedModel.keptCalls + 50; turn++) await model.complete(request(turn), { signal });
    expect(model.callCount).toBe(ScriptedModel.keptCalls + 50);
    expect(model.calls).toHaveLength(ScriptedModel.keptCalls);
    expect(model.calls[0]?.turn).toBe(1);
    expect(model.calls.at(-1)?.turn).toBe(ScriptedModel.keptCalls);
  });
});
