import { describe, expect, it } from 'vitest';
import { specHash } from '../core/hash';

describe('specHash', () => {
  // Recorded runs, audit records and `baton agents` hold these fingerprints: a faster hash must give the same ones.
  it.each([
    ['null', null, '77074ba484f2b95a'],
    ['a string', 'researcher', '0b728b7b688b42a1'],
    ['non-ASCII text', { text: 'é ☃ 𝄞' }, 'f045c89e12ede60f'],
    [
      'an agent, its tools and team',
      { agent: { name: 'worker', provider: 'scripted', model: 'zero-latency', instructions: 'Be brief.', tools: ['page'], limits: { maxTurns: 10, maxToolCallsPerTurn: 64 } }, tools: [{ name: 'page', description: 'A page of text', inputSchema: { type: 'object' } }], team: [] },
      'f997434a3f89477f',
    ],
  ])('gives %s the fingerprint it had before', (_, value, hash) => {
    expect(specHash(value)).toBe(hash);
  });

  it('ignores key order and undefined fields', () => {
    expect(specHash({ b: 1, a: [2, { d: undefined, c: 3 }] })).toBe(specHash({ a: [2, { c: 3 }], b: 1 }));
  });
});
