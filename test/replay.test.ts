import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaySavedHistories } from '../testing';

const dir = path.join(__dirname, 'fixtures', 'histories');
const current = readdirSync(dir).filter((f) => f.endsWith('.json'));
/** Histories recorded under the earlier search-attribute scheme (BatonStatus set at start and at the end). */
const v1 = readdirSync(path.join(dir, 'v1')).filter((f) => f.endsWith('.json')).map((f) => `v1/${f}`);
const files = [...current, ...v1];

describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    const patterns = ['handoff-approval', 'supervisor', 'route', 'parallel', 'orchestrator', 'loop', 'approval', 'generated', 'session-continued'];
    const expected = ['agent-tools.json', 'agent-output-schema.json', ...patterns.map((p) => `pattern-${p}.json`)];
    expect(current).toEqual(expect.arrayContaining(expected));
    expect(v1).toEqual(expect.arrayContaining(expected.map((f) => `v1/${f}`)));
  });

  it.each(files)('replays %s deterministically with the current workflow code', async (file) => {
    // Recorded as `history-<name>` (npm run record-histories): child run ids derive from it.
    const outcomes = await replaySavedHistories(path.join(dir, file), { workflowIdOf: (f) => `history-${path.basename(f, '.json')}` });
    expect(outcomes).toEqual([expect.objectContaining({ ok: true, file: path.join(dir, file) })]);
  });
});
