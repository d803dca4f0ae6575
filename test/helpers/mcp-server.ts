/** Runs a Baton worker and Baton's MCP server as child processes, and connects the MCP SDK's client to it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { uniqueTaskQueue } from './temporal';

export const root = path.join(__dirname, '..', '..');
export const mcpConfig = path.join(root, 'test/fixtures/mcp-server/config.ts');

/** The environment the worker and server share: one task queue and content store per test file. */
export function sharedEnv(): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    BATON_TEST_QUEUE: uniqueTaskQueue('mcp'),
    BATON_TEST_CONTENT_DIR: mkdtempSync(path.join(os.tmpdir(), 'baton-mcp-content-')),
  };
}

/** `node --import tsx client/cli/main.ts --config <fixture> --address <dev server> ...args`. */
export function batonArgs(...args: string[]): string[] {
  return ['--import', 'tsx', 'client/cli/main.ts', '--config', mcpConfig, '--address', inject('temporalAddress'), ...args];
}

/** Spawns `baton <args>` and resolves once its stdout contains `ready`. */
export async function spawnUntil(args: string[], env: Record<string, string>, ready: string): Promise<{ child: ChildProcess; stdout: string }> {
  const child = spawn(process.execPath, batonArgs(...args), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => ((out += chunk.toString()), out.includes(ready) && resolve()));
    child.stderr?.on('data', (chunk: Buffer) => void (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`baton ${args.join(' ')} exited with ${code}: ${out}${err}`)));
  });
  return { child, stdout: out };
}

/** Connects an MCP client to `baton mcp` over stdio; `setup` may register handlers before it connects. */
export async function stdioClient(env: Record<string, string>, options: { elicitation?: boolean; address?: string } = {}, setup?: (client: Client) => void): Promise<Client> {
  const args = batonArgs('mcp');
  if (options.address) args.splice(args.indexOf('--address') + 1, 1, options.address);
  const client = new Client({ name: 'baton-test', version: '1.0.0' }, { capabilities: options.elicitation ? { elicitation: { form: {} } } : {} });
  setup?.(client);
  await client.connect(new StdioClientTransport({ command: process.execPath, args, cwd: root, env, stderr: 'pipe' }));
  return client;
}

/** Calls a tool; returns its structured content and text, and whether it was a tool error. */
export async function call<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}, options: Parameters<Client['callTool']>[2] = {}) {
  const result = (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000, ...options })) as CallToolResult;
  const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
  return { structured: result.structuredContent as T, text, isError: result.isError === true };
}
