/**
 * Connections to the test run's Temporal server: a client for starting and reading runs and
 * a native connection for workers, on the server `testServerAddress` picks.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { testServerAddress } from './dev-server';

/** A client and a worker connection to one server and namespace; `close()` ends both. */
export interface TestTemporal {
  address: string;
  namespace: string;
  client: Client;
  connection: Connection;
  /** For workers (`createBatonWorker({ connection: nativeConnection })`). */
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}

/** Which server and namespace to connect to; everything defaults to the test run's. */
export interface ConnectTestTemporalOptions {
  /** host:port (default: TEMPORAL_ADDRESS, else a dev server this process starts). */
  address?: string;
  /** Default: TEMPORAL_NAMESPACE, else `default`. */
  namespace?: string;
  /** The Temporal SDK's log level, if this call is the first to create its Runtime (default WARN). */
  sdkLogLevel?: LogLevel;
}

let runtimeInstalled = false;

/** The SDK logs every worker start at INFO; tests want warnings only. Once per process: the Runtime is a singleton. */
export function quietTemporalLogs(level: LogLevel = 'WARN'): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch (err) {
    // Something in this process already created the Runtime: keep it.
    if (!/already been instantiated/.test(String(err))) throw err;
  }
}

/** Connects a client and a worker connection to the test server (started on first use when none is given). */
export async function connectTestTemporal(options: ConnectTestTemporalOptions = {}): Promise<TestTemporal> {
  quietTemporalLogs(options.sdkLogLevel);
  const address = options.address ?? (await testServerAddress());
  const namespace = options.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
  const connection = await Connection.connect({ address });
  let nativeConnection: NativeConnection;
  try {
    nativeConnection = await NativeConnection.connect({ address });
  } catch (err) {
    await connection.close();
    throw err;
  }
  return {
    address,
    namespace,
    connection,
    nativeConnection,
    client: new Client({ connection, namespace }),
    async close() {
      await Promise.allSettled([connection.close(), nativeConnection.close()]);
    },
  };
}

/** A task queue no other test uses, e.g. `agent-3f2a9c1d`: tests share one server, never a queue. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A workflow id no other test uses, e.g. `agent-<uuid>`. */
export function uniqueWorkflowId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
