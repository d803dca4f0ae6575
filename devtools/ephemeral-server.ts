/**
 * A throwaway Temporal dev server for Baton's own tests, benchmarks and tools. The code ships
 * in the testing kit (testing/dev-server.ts); this module keeps the names devtools use.
 */
import { startDevServer, type DevServer } from '../testing/dev-server';

export { devServerFlags } from '../testing/dev-server-settings';
export { freePort } from '../testing/dev-server';
export { temporalCliPath } from '../testing/temporal-cli';

/** A dev server this process started (see testing/dev-server.ts). */
export type EphemeralServer = DevServer;

/** Starts a dev server and resolves once its frontend answers (up to 60 s). */
export const startEphemeralServer = (): Promise<EphemeralServer> => startDevServer();
