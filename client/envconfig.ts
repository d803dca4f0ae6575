/**
 * Connection profiles in Temporal's own `temporal.toml` format (the file the `temporal` CLI
 * and every SDK read), through `@temporalio/envconfig`: the profile named by `--profile` or
 * TEMPORAL_PROFILE (else `default`), in TEMPORAL_CONFIG_FILE (else
 * `$XDG_CONFIG_HOME/temporalio/temporal.toml`, i.e. `~/.config/temporalio/temporal.toml`).
 */
import { loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/client';

/** What a profile sets; every field may be missing. */
export interface TemporalProfile {
  /** The profile's name, for messages (`default` when none was asked for). */
  name: string;
  address?: string;
  namespace?: string;
  apiKey?: string;
  /** TLS from the profile's `[profiles.<name>.tls]` (files or inline PEM), or `true` when it has an API key. */
  tls?: TLSConfig | boolean;
  /** gRPC metadata from `[profiles.<name>.grpc_meta]`. */
  metadata?: Record<string, string>;
}

/** A profile that cannot be used: named but missing, or a file that does not parse. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * The temporal.toml profile in effect, read only from the file (the environment variables are
 * applied on top by resolveConnectionSettings); undefined when there is no file or the profile
 * sets nothing. A profile asked for by name that does not exist is an error.
 */
export function loadTemporalProfile(env: NodeJS.ProcessEnv = process.env, profile?: string): TemporalProfile | undefined {
  const name = profile ?? env.TEMPORAL_PROFILE;
  let loaded;
  try {
    loaded = loadClientConfigProfile({ profile: name, disableEnv: true, overrideEnvVars: definedOnly(env) });
  } catch (err) {
    const file = env.TEMPORAL_CONFIG_FILE ?? 'the default temporal.toml';
    throw new ProfileError(`Temporal profile "${name ?? 'default'}" (${file}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (!Object.values(loaded).some((value) => value !== undefined)) return undefined;
  const { connectionOptions, namespace } = toClientOptions(loaded);
  return {
    name: name ?? 'default',
    address: connectionOptions.address,
    namespace,
    apiKey: typeof connectionOptions.apiKey === 'string' ? connectionOptions.apiKey : undefined,
    tls: connectionOptions.tls ?? undefined,
    metadata: connectionOptions.metadata as Record<string, string> | undefined,
  };
}
