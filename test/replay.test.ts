import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { getWorkflowBundle } from '../workers/workflow-bundle';

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
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, `history-${path.basename(file, '.json')}`)).resolves.toBeUndefined();
  });
});
