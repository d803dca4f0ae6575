/**
 * Connection settings, following Temporal's own environment conventions so `temporal`
 * CLI setups and Temporal Cloud work unchanged: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_CLIENT_CERT_PATH / TEMPORAL_TLS_CLIENT_KEY_PATH, and
 * temporal.toml profiles (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE; see envconfig.ts).
 * Precedence, field by field: explicit options (CLI flags) > environment > temporal.toml
 * profile > config file > defaults.
 */
import { readFileSync } from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TLSConfig } from '@temporalio/client';
import { loadTemporalProfile } from './envconfig';

export interface ConnectionSettings {
  address: string;
  namespace: string;
  apiKey?: string;
  tls?: TLSConfig | boolean;
  /** gRPC metadata (headers) sent on every call, from the profile's `grpc_meta`. */
  metadata?: Record<string, string>;
  /** The temporal.toml profile that contributed settings, if any. */
  profile?: string;
}

export interface ConnectionOverrides {
  address?: string;
  namespace?: string;
  /** A temporal.toml profile by name (`--profile`); TEMPORAL_PROFILE otherwise. */
  profile?: string;
}

/** Resolves where to connect, from flags, environment, a temporal.toml profile and config. */
export function resolveConnectionSettings(
  overrides: ConnectionOverrides = {},
  config: { address?: string; namespace?: string } = {},
  env: NodeJS.ProcessEnv = process.env,
): ConnectionSettings {
  const profile = loadTemporalProfile(env, overrides.profile);
  const settings: ConnectionSettings = {
    address: overrides.address ?? env.TEMPORAL_ADDRESS ?? profile?.address ?? config.address ?? '127.0.0.1:7233',
    namespace: overrides.namespace ?? env.TEMPORAL_NAMESPACE ?? profile?.namespace ?? config.namespace ?? 'default',
  };
  if (profile) Object.assign(settings, { profile: profile.name, apiKey: profile.apiKey, tls: profile.tls, metadata: profile.metadata });
  if (env.TEMPORAL_API_KEY) {
    settings.apiKey = env.TEMPORAL_API_KEY;
    settings.tls = settings.tls || true;
  }
  if (env.TEMPORAL_TLS_CLIENT_CERT_PATH && env.TEMPORAL_TLS_CLIENT_KEY_PATH) {
    settings.tls = {
      clientCertPair: { crt: readFileSync(env.TEMPORAL_TLS_CLIENT_CERT_PATH), key: readFileSync(env.TEMPORAL_TLS_CLIENT_KEY_PATH) },
    };
  }
  return settings;
}

function connectOptions(settings: ConnectionSettings): ConnectionOptions & NativeConnectionOptions {
  return { address: settings.address, apiKey: settings.apiKey, tls: settings.tls, metadata: settings.metadata };
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
