/** Starts one Temporal dev server for the whole test run, or uses TEMPORAL_ADDRESS. */
import { startEphemeralServer, type EphemeralServer } from '../devtools/ephemeral-server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}

let server: EphemeralServer | undefined;

/** The part of vitest's TestProject this setup uses. */
interface ProvidingProject {
  provide<K extends 'temporalAddress' | 'temporalNamespace'>(key: K, value: string): void;
}

export async function setup(project: ProvidingProject): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS ?? (server = await startEphemeralServer()).address;
  project.provide('temporalAddress', address);
  project.provide('temporalNamespace', process.env.TEMPORAL_NAMESPACE ?? 'default');
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
