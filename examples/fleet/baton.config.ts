// An example config for a fleet on Kubernetes (deploy/kubernetes runs it): two worker pools on
// their own task queues, shared PostgreSQL stores (pods on many machines), the resource-based
// tuner, and Worker Versioning with the build id from BATON_BUILD_ID. API keys, the database URL
// and TEMPORAL_API_KEY come from the environment (a Kubernetes Secret).
import { defineConfig } from '../../config/define-config';

export default defineConfig({
  temporal: { taskQueue: 'baton' },
  providers: {
    openai: { type: 'openai' },
    anthropic: { type: 'anthropic' },
  },
  pools: {
    // The pool `default` serves `temporal.taskQueue` (baton): triage runs there.
    research: { taskQueue: 'baton-research', modelCalls: 16, providers: { anthropic: { requestsPerMinute: 600, burst: 10 } } },
  },
  agents: {
    triage: { provider: 'openai', model: 'gpt-4.1-mini', instructions: 'Answer short questions; hand research questions to the researcher.', handoffs: ['researcher'] },
    researcher: { provider: 'anthropic', model: 'claude-sonnet-4-5', instructions: 'Research the question and answer with sources.', pool: 'research' },
  },
  toolCache: { type: 'postgres' },
  contentStore: { type: 'postgres' },
  worker: {
    // Kubernetes gives the pod terminationGracePeriodSeconds (90) > this + Baton's 5 s force margin.
    shutdownGraceTime: '60s',
    tuner: { targetCpuUsage: 0.8, targetMemoryUsage: 0.8, activityTaskSlots: { maximum: 200 } },
    workflowTaskPollerBehavior: { type: 'autoscaling' },
    activityTaskPollerBehavior: { type: 'autoscaling' },
    deployment: { name: 'baton' },
  },
});
