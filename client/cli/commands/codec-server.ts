/** `baton codec-server --port <p>`: serves the encryption codec to the Web UI and the temporal CLI. */
import { startCodecServer } from '../../../codec/codec-server';
import { EncryptionCodec } from '../../../codec/encryption-codec';
import { defaultCodecTokenEnv, defaultUiOrigin, resolveEncryption } from '../../../codec/settings';
import { defaultKeysEnv } from '../../../codec/keys';
import { storedContentResolver } from '../../../codec/stored-content';
import { openContentStore } from '../../../workers/create-worker';
import { configFor, UsageError, type GlobalFlags } from '../context';

/** The flags of `baton codec-server`. */
export interface CodecServerFlags {
  port: string;
  host?: string;
  uiOrigin?: string[];
  resolveContent?: boolean;
}

/** Runs until SIGINT or SIGTERM; keys from the config's keysEnv (BATON_ENCRYPTION_KEYS by default). */
export async function codecServerCommand(flags: CodecServerFlags, globals: GlobalFlags, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${flags.port}"`);
  const config = await configFor(globals, false);
  const settings = resolveEncryption(config?.encryption) ?? { keysEnv: defaultKeysEnv, codecServer: { uiOrigins: [defaultUiOrigin], tokenEnv: defaultCodecTokenEnv } };
  const codec = EncryptionCodec.fromEnv(settings.keysEnv, env);
  const token = env[settings.codecServer.tokenEnv] || undefined;
  const uiOrigins = flags.uiOrigin?.length ? flags.uiOrigin : settings.codecServer.uiOrigins;
  if (flags.resolveContent && !config) throw new UsageError('--resolve-content needs the config, to find the content store (--config <file>)');
  const afterDecode = flags.resolveContent && config ? storedContentResolver(openContentStore(config.contentStore, env, settings)) : undefined;
  const running = await startCodecServer({ codec, uiOrigins, token, port, host: flags.host, afterDecode });
  console.log(`baton codec server on ${running.url} · encrypts with key ${codec.encryptingKeyId} (from ${settings.keysEnv}) · CORS for ${uiOrigins.join(', ')}`);
  console.log(token ? `  requests need Authorization: Bearer $${settings.codecServer.tokenEnv}` : `  no bearer token required (set ${settings.codecServer.tokenEnv} to require one)`);
  if (afterDecode) console.log(`  content-store references are shown resolved, under "baton:stored"`);
  console.log(`  Web UI: temporal server start-dev --ui-codec-endpoint ${running.url}, or the UI's Data Encoder setting`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}
