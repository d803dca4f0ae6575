import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { getWorkflowBundle } from '../workers/workflow-bundle';

const dir = path.join(__dirname, 'fixtures', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('replay of recorded histories', () => {
  it('has recorded histories to replay', () => {
    const patterns = ['handoff-approval', 'supervisor', 'route', 'parallel', 'orchestrator', 'loop', 'approval', 'generated', 'session-continued'];
    expect(files).toEqual(expect.arrayContaining(['agent-tools.json', 'agent-output-schema.json', ...patterns.map((p) => `pattern-${p}.json`)]));
  });

  it.each(files)('replays %s deterministically with the current workflow code', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowBundle: await getWorkflowBundle() }, history, `history-${file.replace(/\.json$/, '')}`)).resolves.toBeUndefined();
  });
});
