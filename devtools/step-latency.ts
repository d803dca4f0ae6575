/**
 * Measures the dev server's dispatch latency: a bare workflow of N sequential no-op
 * activities (and the same with local activities, the SDK's floor), median ms per step.
 * `tsx devtools/step-latency.ts [address]`; without an address it starts a throwaway server.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startEphemeralServer } from './ephemeral-server';
import * as activities from '../bench/bare-activities';

export interface StepLatency { activityMs: number; localActivityMs: number }

/** Median ms per step of `runs` workflows of `steps` activities each, normal and local. */
export async function measureStepLatency(address: string, steps = 20, runs = 5): Promise<StepLatency> {
  const nativeConnection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }) });
  const taskQueue = `latency-${Date.now()}`;
  const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath: require.resolve('../bench/latency-workflow'), activities });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  try {
    return await worker.runUntil(async () => {
      const time = async (local: boolean) => {
        const samples: number[] = [];
        for (let i = 0; i <= runs; i++) {
          const started = performance.now();
          await client.workflow.execute('sequentialSteps', { taskQueue, workflowId: `${taskQueue}-${local}-${i}`, args: [{ steps, local }] });
          if (i > 0) samples.push((performance.now() - started) / steps);
        }
        return median(samples);
      };
      return { activityMs: await time(false), localActivityMs: await time(true) };
    });
  } finally {
    await nativeConnection.close();
    await client.connection.close();
  }
}

if (require.main === module) {
  void (async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const server = process.argv[2] ? undefined : await startEphemeralServer();
    const latency = await measureStepLatency(process.argv[2] ?? (server as { address: string }).address);
    console.log(`activity step ${latency.activityMs.toFixed(1)} ms, local activity step ${latency.localActivityMs.toFixed(1)} ms`);
    await server?.stop();
  })();
}
