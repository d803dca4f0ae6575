/** What every CLI command shares: global flags, the config, a connected client. */
import { Client } from '@temporalio/client';
import { findConfigPath, loadConfig } from '../../config/load-config';
import type { BatonConfig } from '../../config/define-config';
import { connectClient, resolveConnectionSettings, type ConnectionSettings } from '../connection';
import { runUrl, uiBaseUrl } from '../ui-links';
import { dataConverterFor } from '../../codec/settings';

export interface GlobalFlags {
  config?: string;
  address?: string;
  namespace?: string;
  /** A temporal.toml profile (`--profile`). */
  profile?: string;
}

/** A mistake in how the CLI was called; printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Loads the config the command needs (required for worker/run, optional elsewhere). An
 * explicit `--config` or BATON_CONFIG that does not exist is an error for every command;
 * only a missing default file is skipped where the config is optional.
 */
export async function configFor(flags: GlobalFlags, required: boolean): Promise<BatonConfig | undefined> {
  if (!required && !findConfigPath(flags.config)) return undefined;
  return loadConfig(flags.config);
}

export interface Connected {
  client: Client;
  settings: ConnectionSettings;
  config?: BatonConfig;
  ui(workflowId: string, runId?: string): string;
}

/** Connects for commands that only read or control runs. */
export async function connect(flags: GlobalFlags): Promise<Connected> {
  const config = await configFor(flags, false);
  const settings = resolveConnectionSettings(flags, config?.temporal);
  const connection = await connectClient(settings);
  const base = uiBaseUrl(config?.temporal.uiUrl);
  return {
    client: new Client({ connection, namespace: settings.namespace, dataConverter: dataConverterFor(config?.encryption) }),
    settings,
    config,
    ui: (id, runId) => runUrl(base, settings.namespace, id, runId),
  };
}
