import { afterAll, describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { ConfigError, validateConfig, type BatonConfigInput } from '../config/define-config';
import { ScriptedModel } from '../activities/providers/scripted';
import { deploymentOptionsOf, scalingOptionsOf } from '../workers/scaling-options';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv, getTestEnv, uniqueTaskQueue } from './helpers/temporal';

afterAll(closeTestEnv);

const base = { providers: { p: { type: 'scripted' as const, model: new ScriptedModel([]) } }, agents: { a: { provider: 'p', model: 'm' } } };
const configWith = (worker: BatonConfigInput['worker']) => validateConfig({ ...base, worker });
const issuesOf = (worker: unknown) => {
  try {
    validateConfig({ ...base, worker });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
};

describe('worker scaling settings', () => {
  it('maps worker.tuner to the SDK resource-based tuner and leaves the fixed slot counts unset', () => {
    const options = scalingOptionsOf(configWith({ tuner: { targetCpuUsage: 0.8, targetMemoryUsage: 0.7, activityTaskSlots: { minimum: 2, maximum: 300, rampThrottle: '20ms' } } }).worker);
    expect(options.tuner).toEqual({
      tunerOptions: { targetCpuUsage: 0.8, targetMemoryUsage: 0.7 },
      workflowTaskSlotOptions: undefined,
      activityTaskSlotOptions: { minimumSlots: 2, maximumSlots: 300, rampThrottle: '20ms' },
      localActivityTaskSlotOptions: undefined,
    });
    expect(options).not.toHaveProperty('maxConcurrentActivityTaskExecutions');
    expect(options.workerDeploymentOptions).toBeUndefined();
  });

  it('passes fixed slot counts and poller behaviour through when there is no tuner', () => {
    const options = scalingOptionsOf(configWith({ maxConcurrentActivityTaskExecutions: 20, activityTaskPollerBehavior: { type: 'autoscaling', maximum: 30 }, workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 } }).worker);
    expect(options).not.toHaveProperty('tuner');
    expect(options).toMatchObject({ maxConcurrentActivityTaskExecutions: 20, activityTaskPollerBehavior: { type: 'autoscaling', maximum: 30 }, workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 4 } });
  });

  it('passes the sticky-queue timeout through and refuses a value that is not a duration, naming the field', () => {
    expect(scalingOptionsOf(configWith({ stickyQueueScheduleToStartTimeout: '3s' }).worker).stickyQueueScheduleToStartTimeout).toBe('3s');
    expect(scalingOptionsOf(configWith({}).worker).stickyQueueScheduleToStartTimeout).toBeUndefined();
    expect(issuesOf({ stickyQueueScheduleToStartTimeout: 'soon' }).map((i) => i.path)).toEqual(['worker.stickyQueueScheduleToStartTimeout']);
  });

  it('refuses a tuner beside fixed slot counts, naming each field (the SDK would refuse it at worker start)', () => {
    const issues = issuesOf({ tuner: { targetCpuUsage: 0.8, targetMemoryUsage: 0.8 }, maxConcurrentActivityTaskExecutions: 10, maxConcurrentWorkflowTaskExecutions: 5 });
    expect(issues.map((i) => i.path)).toEqual(['worker.maxConcurrentActivityTaskExecutions', 'worker.maxConcurrentWorkflowTaskExecutions']);
    expect(issues[0]?.message).toMatch(/cannot be combined with worker\.tuner.*worker\.tuner\.activityTaskSlots\.maximum/);
  });

  it('refuses targets outside (0, 1], inverted slot bounds and autoscaling bounds out of order', () => {
    expect(issuesOf({ tuner: { targetCpuUsage: 80, targetMemoryUsage: 0.8 } }).map((i) => i.path)).toEqual(['worker.tuner.targetCpuUsage']);
    expect(issuesOf({ tuner: { targetCpuUsage: 0.8, targetMemoryUsage: 0.8, workflowTaskSlots: { minimum: 10, maximum: 5 } } })[0]?.path).toBe('worker.tuner.workflowTaskSlots');
    expect(issuesOf({ activityTaskPollerBehavior: { type: 'autoscaling', minimum: 8, maximum: 4 } })[0]?.path).toBe('worker.activityTaskPollerBehavior');
    expect(issuesOf({ activityTaskPollerBehavior: { type: 'dynamic' } })[0]?.path).toBe('worker.activityTaskPollerBehavior.type');
  });

  it('maps worker.deployment to workerDeploymentOptions, the build id from BATON_BUILD_ID when the config has none', () => {
    const worker = configWith({ deployment: { name: 'baton-default' } }).worker;
    expect(deploymentOptionsOf(worker, { BATON_BUILD_ID: 'git-abc123' })).toEqual({ useWorkerVersioning: true, version: { deploymentName: 'baton-default', buildId: 'git-abc123' }, defaultVersioningBehavior: 'PINNED' });
    expect(() => deploymentOptionsOf(worker, {})).toThrow(/BATON_BUILD_ID: not set: worker.deployment needs a build id/);
    const explicit = configWith({ deployment: { name: 'd', buildId: 'b2', defaultVersioningBehavior: 'AUTO_UPGRADE' } }).worker;
    expect(deploymentOptionsOf(explicit, { BATON_BUILD_ID: 'ignored' })).toMatchObject({ version: { buildId: 'b2' }, defaultVersioningBehavior: 'AUTO_UPGRADE' });
  });
});

describe('workers with scaling and deployment options on the dev server', () => {
  it('runs an agent on a worker with the resource-based tuner and autoscaling pollers', async () => {
    const model = new ScriptedModel([{ reply: { text: 'tuned' } }]);
    const baton = await startTestBaton({
      models: { scripted: model },
      agents: { a: { provider: 'scripted', model: 's' } },
      worker: { tuner: { targetCpuUsage: 0.95, targetMemoryUsage: 0.95 }, workflowTaskPollerBehavior: { type: 'autoscaling' }, activityTaskPollerBehavior: { type: 'autoscaling' } },
    });
    const result = await baton.run(async () => (await baton.client.startAgent('a', 'hi')).result());
    expect(result.output).toBe('tuned');
    model.assertDone();
  }, 120_000);

  it('runs an agent on a versioned worker once its build is the deployment’s current version, pinned to that build', async () => {
    const env = await getTestEnv();
    const namespace = env.namespace ?? 'default';
    const deploymentName = uniqueTaskQueue('deploy');
    const model = new ScriptedModel([{ reply: { text: 'versioned' } }]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: { a: { provider: 'scripted', model: 's' } }, worker: { deployment: { name: deploymentName, buildId: 'build-1' } } });
    const service = env.client.workflowService;
    const result = await baton.run(async () => {
      // The version exists once the worker polled; make it current (what `temporal worker deployment set-current-version` does).
      // The version exists once the worker has polled with it: a loaded machine may take a while.
      for (const until = Date.now() + 60_000; ;) {
        try {
          await service.setWorkerDeploymentCurrentVersion({ namespace, deploymentName, buildId: 'build-1', identity: 'worker-scaling test' });
          break;
        } catch (err) {
          if (Date.now() > until) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const handle = await baton.client.startAgent('a', 'hi', { taskQueue: baton.taskQueue });
      const output = await handle.result();
      const completed = (await handle.fetchHistory()).events?.filter((e) => e.workflowTaskCompletedEventAttributes) ?? [];
      return { output, completed: completed.map((e) => e.workflowTaskCompletedEventAttributes) };
    });
    expect(result.output.output).toBe('versioned');
    expect(result.completed.length).toBeGreaterThan(0);
    for (const attrs of result.completed) {
      expect(attrs?.deploymentVersion).toMatchObject({ deploymentName, buildId: 'build-1' });
      expect(attrs?.versioningBehavior).toBe(temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED);
    }
  }, 120_000);
});
