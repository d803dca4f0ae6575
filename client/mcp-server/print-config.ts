/**
 * `baton mcp --print-config <claude|cursor|vscode>`: the exact setup of each IDE client.
 * The command is this checkout's (or install's) `bin/baton.cjs` by absolute path, so it
 * works whatever folder the IDE starts it in; the config path is absolute for the same reason.
 */
import path from 'node:path';
import { packageRoot } from '../package-root';

/** The IDE clients `--print-config` knows. */
export const mcpClients = ['claude', 'cursor', 'vscode'] as const;
/** One of the clients `--print-config` knows. */
export type McpClientName = (typeof mcpClients)[number];

/** How a client starts the server. */
export interface ServerLaunch {
  /** The args after `node`: the baton binary, global flags, `mcp`. */
  args: string[];
  /** With `--http`: the endpoint URL, and whether it needs the bearer token. */
  http?: { url: string; token: boolean };
}

/** How to launch this server over stdio: `node <bin/baton.cjs> [--config <abs>] [--address ..] [--namespace ..] mcp`. */
export function stdioLaunch(configPath: string | undefined, globals: { address?: string; namespace?: string }): ServerLaunch {
  const bin = path.join(packageRoot(), 'bin', 'baton.cjs');
  const flags = [
    ...(configPath ? ['--config', path.resolve(configPath)] : []),
    ...(globals.address ? ['--address', globals.address] : []),
    ...(globals.namespace ? ['--namespace', globals.namespace] : []),
  ];
  return { args: [bin, ...flags, 'mcp'] };
}

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
const json = (value: unknown) => JSON.stringify(value, null, 2);

/** One client's setup: a shell command (claude), or a file's JSON content and where it goes. */
export interface ClientSetup { file?: string; text: string }

/** The setup for one client. */
export function clientConfig(client: McpClientName, launch: ServerLaunch): ClientSetup {
  const { http } = launch;
  switch (client) {
    case 'claude':
      return {
        text: http
          ? `claude mcp add --transport http baton ${http.url}${http.token ? ' --header "Authorization: Bearer $BATON_MCP_TOKEN"' : ''}`
          : `claude mcp add baton -- node ${launch.args.map(quote).join(' ')}`,
      };
    case 'cursor': {
      const server = http ? { url: http.url, ...(http.token ? { headers: { Authorization: 'Bearer ${env:BATON_MCP_TOKEN}' } } : {}) } : { command: 'node', args: launch.args };
      return { file: '.cursor/mcp.json', text: json({ mcpServers: { baton: server } }) };
    }
    case 'vscode': {
      const server = http ? { type: 'http', url: http.url, ...(http.token ? { headers: { Authorization: 'Bearer ${input:baton-mcp-token}' } } : {}) } : { type: 'stdio', command: 'node', args: launch.args };
      const inputs = http?.token ? { inputs: [{ type: 'promptString', id: 'baton-mcp-token', description: 'BATON_MCP_TOKEN of the Baton MCP server', password: true }] } : {};
      return { file: '.vscode/mcp.json', text: json({ servers: { baton: server }, ...inputs }) };
    }
  }
}
