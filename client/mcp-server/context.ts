/**
 * What every tool of Baton's MCP server shares: the config (when the project has one), one
 * Temporal client for the whole server, and the content store for transcripts. The client
 * connects on first use and again after a failed attempt, so the server starts (and
 * answers `list_agents`) with the Temporal server down and recovers when it comes back;
 * once connected, the SDK's gRPC channel reconnects by itself after a server restart.
 */
import os from 'node:os';
import { Client } from '@temporalio/client';
import type { BatonConfig } from '../../config/define-config';
import type { ContentStore } from '../../activities/content-store';
import { openContentStore } from '../../workers/create-worker';
import { dataConverterFor } from '../../codec/settings';
import { BatonClient } from '../baton-client';
import { connectClient, resolveConnectionSettings, type ConnectionOverrides } from '../connection';
import { runUrl, uiBaseUrl } from '../ui-links';

/** A mistake the caller can fix (unknown agent, no config): sent back as a one-line tool error. */
export class McpUsageError extends Error {
  override readonly name = 'McpUsageError';
}

/** The server's shared state; one per `baton mcp` process, shared by every MCP session. */
export class McpContext {
  private connecting?: Promise<Client>;
  private store?: ContentStore;
  private namespace?: string;

  constructor(
    readonly config: BatonConfig | undefined,
    /** The folder of the config file: where `list_specs` looks for workflow specs. */
    readonly projectDir: string,
    private readonly overrides: ConnectionOverrides = {},
  ) {}

  /** The one Temporal client; a failed connect is forgotten so the next call tries again. */
  temporal(): Promise<Client> {
    this.connecting ??= (async () => {
      const settings = resolveConnectionSettings(this.overrides, this.config?.temporal);
      const connection = await connectClient(settings);
      return new Client({ connection, namespace: settings.namespace, dataConverter: dataConverterFor(this.config?.encryption) });
    })().catch((err: unknown) => {
      this.connecting = undefined;
      throw err;
    });
    return this.connecting;
  }

  /** The config, or a clear error for the tools that need one. */
  requireConfig(): BatonConfig {
    if (!this.config) throw new McpUsageError('no Baton config: start the server in a project with baton.config.ts, or pass --config <file>');
    return this.config;
  }

  /** A typed Baton client over the shared connection (needs the config). */
  async baton(): Promise<BatonClient> {
    const client = await this.temporal();
    return new BatonClient(client, this.requireConfig(), { namespace: client.options.namespace });
  }

  /** The Web UI page of a run. */
  uiUrl(workflowId: string, runId?: string): string {
    // Read once: resolving reads the Temporal profile file, and summaries ask for links on every poll.
    this.namespace ??= resolveConnectionSettings(this.overrides, this.config?.temporal).namespace;
    return runUrl(uiBaseUrl(this.config?.temporal.uiUrl), this.namespace, workflowId, runId);
  }

  /** The configured content store (a file store's folder is relative to the working directory, as for the workers); none without a config. */
  contentStore(): ContentStore | undefined {
    if (!this.config) return undefined;
    this.store ??= openContentStore(this.config.contentStore, process.env, this.config.encryption);
    return this.store;
  }

  /** Closes the Temporal connection, if one was made. */
  async close(): Promise<void> {
    const client = await this.connecting?.catch(() => undefined);
    await client?.connection.close();
  }
}

/** Who decides when the caller names no one: the OS user of the server (the IDE's user), and the MCP client. */
export function defaultDecider(clientName: string | undefined): string {
  let user: string;
  try {
    user = os.userInfo().username || 'unknown user';
  } catch {
    user = 'unknown user';
  }
  return clientName ? `${user} via ${clientName}` : user;
}
