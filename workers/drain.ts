/**
 * Runs a worker until SIGTERM or SIGINT, then drains. The SDK's Runtime already turns the
 * first signal into `worker.shutdown()` (stop polling, let in-flight calls finish for
 * `shutdownGraceTime`, then cancel them); this adds what an operator needs around it: a line
 * saying what is happening, the probe endpoints while it drains, and a harder stop on a second
 * signal or when calls still run `forceAfterMs` past the grace time (exit code 1: the server
 * retries those calls on another worker after their heartbeat timeout).
 */
import type { Worker } from '@temporalio/worker';
import { startHealthServer, type HealthServer, type HealthSources } from './health';

/** How long past the grace time a call that ignores its cancellation may keep the process. */
export const defaultForceAfterMs = 5000;

/** How long calls may drain, where to log, and the probes to serve. */
export interface DrainOptions {
  graceMs: number;
  log: (line: string) => void;
  /** Serve `/healthz` and `/readyz` here while the worker runs and drains. */
  health?: { bind: string | number; sources: Omit<HealthSources, 'workerState'> };
  forceAfterMs?: number;
  /** Ends the process (tests replace it). */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/** `worker.run()` with probe endpoints, a logged drain, and a hard stop on a second signal. */
export async function runAndDrain(worker: Worker, options: DrainOptions): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let health: HealthServer | undefined;
  if (options.health) {
    health = await startHealthServer(options.health.bind, { ...options.health.sources, workerState: () => worker.getState() });
    options.log(`  health: http://${health.address}/healthz, /readyz`);
  }
  let received = 0;
  let force: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++received > 1) {
      options.log(`baton worker: second ${signal}, stopping now; calls still in flight are retried by another worker after their heartbeat timeout`);
      exit(1);
      return;
    }
    const inFlight = worker.getStatus().numInFlightActivities;
    options.log(`baton worker: ${signal}, draining: no new tasks; ${inFlight} call(s) in flight get up to ${options.graceMs / 1000} s (worker.shutdownGraceTime), then are cancelled; send ${signal} again to stop now`);
    force = setTimeout(() => {
      options.log(`baton worker: calls still running ${(options.forceAfterMs ?? defaultForceAfterMs) / 1000} s after the grace time, stopping now`);
      exit(1);
    }, options.graceMs + (options.forceAfterMs ?? defaultForceAfterMs));
    force.unref();
  };
  for (const signal of signals) process.on(signal, onSignal);
  try {
    await worker.run();
  } finally {
    clearTimeout(force);
    for (const signal of signals) process.off(signal, onSignal);
    await health?.close();
  }
}
