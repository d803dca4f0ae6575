/** The config's `encryption` section and what the client, workers and CLI build from it. */
import path from 'node:path';
import { z } from 'zod';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import { defaultKeysEnv } from './keys';

/** The Web UI origin the codec server answers CORS for by default (the dev server's UI). */
export const defaultUiOrigin = 'http://localhost:8233';
/** The environment variable holding the codec server's bearer token, unless the config names another. */
export const defaultCodecTokenEnv = 'BATON_CODEC_TOKEN';

/**
 * `encryption: true` or `{ keysEnv, codecServer: { uiOrigins, tokenEnv } }`: payloads are
 * encrypted with the keys in `keysEnv` (default BATON_ENCRYPTION_KEYS). Off when absent or false.
 */
export const EncryptionSettingsSchema = z.union([
  z.boolean(),
  z
    .object({
      keysEnv: z.string().min(1).default(defaultKeysEnv),
      codecServer: z
        .object({
          /** Browser origins allowed to call the codec server (CORS): the Web UI's. */
          uiOrigins: z.array(z.string().url()).min(1).default([defaultUiOrigin]),
          /** When this variable is set, requests must carry `Authorization: Bearer <its value>`. */
          tokenEnv: z.string().min(1).default(defaultCodecTokenEnv),
        })
        .strict()
        .default({ uiOrigins: [defaultUiOrigin], tokenEnv: defaultCodecTokenEnv }),
    })
    .strict(),
]);

/** Encryption settings with defaults filled in. */
export interface ResolvedEncryption {
  keysEnv: string;
  codecServer: { uiOrigins: string[]; tokenEnv: string };
}

/** The settings, or undefined when encryption is off. */
export function resolveEncryption(setting: z.output<typeof EncryptionSettingsSchema> | undefined): ResolvedEncryption | undefined {
  if (!setting) return undefined;
  const defaults: ResolvedEncryption = { keysEnv: defaultKeysEnv, codecServer: { uiOrigins: [defaultUiOrigin], tokenEnv: defaultCodecTokenEnv } };
  return setting === true ? defaults : setting;
}

/** Loaded by the SDK with require() on the worker and client, and bundled into the workflow sandbox. */
export const encodedFailureConverterPath = path.join(__dirname, 'encoded-failure-converter.cjs');

/**
 * The data converter of every Client and Worker Baton makes: with encryption on, the
 * AES-256-GCM codec plus failures whose message and stack are encoded (so encrypted too);
 * undefined (the SDK's default) when it is off. Throws EncryptionKeyError when keys are missing.
 */
export function dataConverterFor(setting: z.output<typeof EncryptionSettingsSchema> | undefined, env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  const encryption = resolveEncryption(setting);
  if (!encryption) return undefined;
  return { payloadCodecs: [EncryptionCodec.fromEnv(encryption.keysEnv, env)], failureConverterPath: encodedFailureConverterPath };
}
