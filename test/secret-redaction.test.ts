/**
 * Configured secrets never reach a run's failure or history, even when a server echoes
 * them: a provider answering 401 with the API key in its message (the real `openai` and
 * `@anthropic-ai/sdk` clients against a local wire server), and an MCP Streamable HTTP
 * server whose error echoes the Authorization header built from `${NAME}`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { McpPool } from '../activities';
import { redactError, redactSecrets, registerSecret } from '../activities/secret-redactor';
import { McpServersSchema, type McpServerConfigInput } from '../activities/tools/mcp-config';
import { ScriptedModel } from '../activities/providers/scripted';
import { startTestBaton, type TestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';
import { startWireServer, type WireServer } from '../testing/fakes/wire-server';
import { openaiError } from '../testing/fakes/openai-wire';
import { anthropicError } from '../testing/fakes/anthropic-wire';

const apiKey = 'sk-live-ECHOED-4242424242';
process.env.BATON_REDACTION_TEST_KEY = apiKey;
const mcpToken = 'mcp-token-ECHOED-777777';

const pools: McpPool[] = [];
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await closeTestEnv();
});

/** Every message in a failure's cause chain, and its JSON, as one string to search. */
function failureText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.message, e.stack ?? '');
  return parts.join('\n');
}

/** Runs one agent to its failure; returns the failure and the run's history as JSON. */
async function failedRun(baton: TestBaton, agent: string): Promise<{ err: unknown; history: string }> {
  return baton.run(async () => {
    const handle = await baton.client.startAgent(agent, 'go');
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    return { err, history: JSON.stringify(await handle.fetchHistory()) };
  });
}

describe('redactSecrets', () => {
  it('replaces raw, JSON-escaped and URL-encoded spellings, longest first, and leaves short values alone', () => {
    registerSecret('QUOTED_SECRET', 'pa"ss/word+1');
    registerSecret('SHORT', 'true');
    registerSecret('OUTER_SECRET', 'abcdef-longer');
    registerSecret('INNER_SECRET', 'abcdef');
    expect(redactSecrets('raw pa"ss/word+1, json "pa\\"ss/word+1", url pa%22ss%2Fword%2B1')).toBe(
      'raw [redacted QUOTED_SECRET], json "[redacted QUOTED_SECRET]", url [redacted QUOTED_SECRET]',
    );
    expect(redactSecrets('abcdef-longer and abcdef; true')).toBe('[redacted OUTER_SECRET] and [redacted INNER_SECRET]; true');
    const err = redactError(new TypeError('bad abcdef', { cause: new Error('because abcdef') }));
    expect(err).toBeInstanceOf(TypeError);
    expect(failureText(err)).not.toContain('abcdef');
  });
});

describe('provider errors that echo the API key', () => {
  let wire: WireServer;
  beforeEach(async () => (wire = await startWireServer('/v1')));
  afterEach(() => wire.close());

  for (const type of ['openai', 'anthropic'] as const) {
    it(`keep the ${type} key out of the failure and the history`, async () => {
      const echo = `Incorrect API key provided: ${apiKey}. You can find your API key at https://example.test/keys (sent as "Bearer ${apiKey}")`;
      wire.push(type === 'openai' ? openaiError(401, echo) : anthropicError(401, echo));
      const baseURL = type === 'openai' ? wire.baseURL : wire.baseURL.replace(/\/v1$/, '');
      const baton = await startTestBaton({
        providers: { llm: { type, baseURL, apiKeyEnv: 'BATON_REDACTION_TEST_KEY' } },
        agents: { writer: { provider: 'llm', model: 'm' } },
      });
      const { err, history } = await failedRun(baton, 'writer');
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(wire.requests).toHaveLength(1); // the key was really sent, and a 401 is not retried
      const text = failureText(err);
      expect(text).toContain('HTTP 401 (check the key in BATON_REDACTION_TEST_KEY)');
      expect(text).toContain('Incorrect API key provided: [redacted BATON_REDACTION_TEST_KEY]');
      expect(text).not.toContain(apiKey);
      expect(history).toContain('[redacted BATON_REDACTION_TEST_KEY]');
      expect(history).not.toContain(apiKey);
    });
  }
});

/**
 * A minimal MCP Streamable HTTP server: initializes and lists one tool, then fails every
 * call (or, with `failInitialize`, the handshake) with an HTTP 500 that echoes the headers.
 */
async function startEchoingMcpServer(failInitialize = false): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const message = JSON.parse(raw) as { id?: number; method: string };
      const echo = () => res.writeHead(500, { 'content-type': 'text/plain' }).end(`upstream refused credentials: ${req.headers.authorization}`);
      const reply = (result: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      if (message.id === undefined) return void res.writeHead(202).end();
      if (message.method === 'initialize') {
        if (failInitialize) return echo();
        return reply({ protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'echoer', version: '1.0.0' } });
      }
      if (message.method === 'tools/list') return reply({ tools: [{ name: 'lookup', description: 'Looks up', inputSchema: { type: 'object' } }] });
      return echo();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

function poolFor(config: Record<string, McpServerConfigInput>, log?: (line: string) => void): McpPool {
  const pool = new McpPool(McpServersSchema.parse(config), { BATON_REDACTION_MCP_TOKEN: mcpToken }, log);
  pools.push(pool);
  return pool;
}

describe('MCP errors that echo a header value', () => {
  it('keep the expanded ${NAME} value out of the failure and the history', async () => {
    const url = await startEchoingMcpServer();
    const config = {
      echoer: {
        url,
        headers: { Authorization: 'Bearer ${BATON_REDACTION_MCP_TOKEN}' },
        retry: { maximumAttempts: 2, initialInterval: '100ms' },
        tools: { lookup: { onError: 'fail' as const } },
      },
    };
    const mcp = poolFor(config);
    const model = ScriptedModel.respondWith(() => ({ toolCalls: [{ name: 'echoer__lookup', arguments: {} }] }));
    const baton = await startTestBaton({ models: { scripted: model }, mcpServers: config, mcp, agents: { looker: { provider: 'scripted', model: 's', tools: ['echoer__lookup'] } } });
    const { err, history } = await failedRun(baton, 'looker');
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const text = failureText(err);
    expect(text).toContain('upstream refused credentials: Bearer [redacted BATON_REDACTION_MCP_TOKEN]');
    expect(text).not.toContain(mcpToken);
    expect(history).toContain('[redacted BATON_REDACTION_MCP_TOKEN]');
    expect(history).not.toContain(mcpToken);
  });

  it('keep it out of connection errors and the worker log', async () => {
    const url = await startEchoingMcpServer(true);
    const logs: string[] = [];
    const mcp = poolFor({ broken: { url, headers: { Authorization: 'Bearer ${BATON_REDACTION_MCP_TOKEN}' }, connectTimeout: '2s' } }, (line) => logs.push(line));
    expect(await mcp.start()).toEqual([{ server: 'broken', error: expect.stringContaining('[redacted BATON_REDACTION_MCP_TOKEN]') }]);
    const err = await mcp.toolSpecs('broken').then(() => undefined, (e: unknown) => e);
    expect(failureText(err)).toContain('upstream refused credentials: Bearer [redacted BATON_REDACTION_MCP_TOKEN]');
    expect(failureText(err)).not.toContain(mcpToken);
    expect(logs.join('\n')).toContain('unavailable');
    expect(logs.join('\n')).not.toContain(mcpToken);
  });
});
