/**
 * Connection settings, following Temporal's own environment conventions so `temporal`
 * CLI setups and Temporal Cloud work unchanged: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_CLIENT_CERT_PATH / TEMPORAL_TLS_CLIENT_KEY_PATH.
 * Precedence: explicit options (CLI flags) > environment > config file > defaults.
 */
import { readFileSync } from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';

export interface ConnectionSettings {
  address: string;
  namespace: string;
  apiKey?: string;
  tls?: { clientCertPair?: { crt: Buffer; key: Buffer } } | boolean;
}

export interface ConnectionOverrides {
  address?: string;
  namespace?: string;
}

/** Resolves where to connect, from flags, environment and config. */
export function resolveConnectionSettings(
  overrides: ConnectionOverrides = {},
  config: { address?: string; namespace?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): ConnectionSettings {
  const settings: ConnectionSettings = {
    address: overrides.address ?? env.TEMPORAL_ADDRESS ?? config.address ?? '127.0.0.1:7233',
    namespace: overrides.namespace ?? env.TEMPORAL_NAMESPACE ?? config.namespace ?? 'default',
  };
  if (env.TEMPORAL_API_KEY) {
    settings.apiKey = env.TEMPORAL_API_KEY;
    settings.tls = true;
  }
  if (env.TEMPORAL_TLS_CLIENT_CERT_PATH && env.TEMPORAL_TLS_CLIENT_KEY_PATH) {
    settings.tls = {
      clientCertPair: { crt: readFileSync(env.TEMPORAL_TLS_CLIENT_CERT_PATH), key: readFileSync(env.TEMPORAL_TLS_CLIENT_KEY_PATH) },
    };
  }
  return settings;
}

function connectOptions(settings: ConnectionSettings): ConnectionOptions & NativeConnectionOptions {
  return { address: settings.address, apiKey: settings.apiKey, tls: settings.tls };
}

/** A client connection; fails with one clear line when the server is unreachable. */
export async function connectClient(settings: ConnectionSettings): Promise<Connection> {
  try {
    return await Connection.connect({ ...connectOptions(settings), connectTimeout: '5s' });
  } catch (err) {
    throw new UnreachableServerError(settings.address, err);
  }
}

/** A worker connection. */
export async function connectWorker(settings: ConnectionSettings): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectOptions(settings));
  } catch (err) {
    throw new UnreachableServerError(settings.address, err);
  }
}

/** The Temporal server did not answer. */
export class UnreachableServerError extends Error {
  override readonly name = 'UnreachableServerError';
  constructor(address: string, cause: unknown) {
    super(`cannot reach the Temporal server at ${address} (start one with ./temporal-dev.sh start, or set TEMPORAL_ADDRESS)`, { cause });
  }
}
