/**
 * Starts one Temporal dev server for the whole test run (the CLI from temporal-dev.sh, a free
 * port, a temporary SQLite database, Baton's search attributes), or uses TEMPORAL_ADDRESS.
 * Test files reach it through `inject('temporalAddress')` (see helpers/temporal.ts).
 */
import { accessSync, constants } from 'node:fs';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { startDevServer, type DevServer } from '../testing/dev-server';
import { temporalCliPath } from '../testing/temporal-cli';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the run's Temporal frontend. */
    temporalAddress: string;
    temporalNamespace: string;
    /** The pid of the server global-setup started; 0 when TEMPORAL_ADDRESS names another. */
    temporalServerPid: number;
  }
}

let server: DevServer | undefined;

/** Fails early, with what to do, when there is no Temporal CLI to start a server with. */
function checkCli(): void {
  const help = 'The tests need a Temporal dev server: run ./temporal-dev.sh install, or set TEMPORAL_CLI_PATH to a temporal binary, or TEMPORAL_ADDRESS to a running server.';
  let cli: string;
  try {
    cli = temporalCliPath();
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${help}`);
  }
  try {
    accessSync(cli, constants.X_OK);
  } catch {
    throw new Error(`The Temporal CLI ${cli} is not an executable file.\n${help}`);
  }
}

export async function setup(project: TestProject): Promise<void> {
  if (!process.env.TEMPORAL_ADDRESS) checkCli();
  const address = process.env.TEMPORAL_ADDRESS ?? (server = await startDevServer()).address;
  project.provide('temporalAddress', address);
  project.provide('temporalNamespace', process.env.TEMPORAL_NAMESPACE ?? 'default');
  project.provide('temporalServerPid', server?.pid ?? 0);
}

export async function teardown(): Promise<void> {
  const current = server;
  server = undefined;
  await current?.stop();
}
