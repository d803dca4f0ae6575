/**
 * Baton's MCP server over Streamable HTTP with a bearer token, driven by the MCP SDK's client
 * against the real dev server and a real worker; and `--print-config` for each IDE client.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from '../devtools/ephemeral-server';
import { batonToolNames } from '../client/mcp-server/server';
import { clientConfig, stdioLaunch } from '../client/mcp-server/print-config';
import { batonArgs, call, mcpConfig, root, sharedEnv, spawnUntil } from './helpers/mcp-server';
import { closeTestEnv, getTestEnv, uniqueWorkflowId } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';
import { loadConfig } from '../config/load-config';
import { BatonClient } from '../client/baton-client';

const token = 'test-token-4f1c';
const env: Record<string, string> = { ...sharedEnv(), BATON_MCP_TOKEN: token };
const children: ChildProcess[] = [];
let url: string;
let client: Client;

const connectClient = async (bearer: string) => {
  const c = new Client({ name: 'baton-http-test', version: '1.0.0' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }));
  return c;
};
const baton = (...args: string[]) => spawnSync(process.execPath, batonArgs(...args), { cwd: root, env, encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  children.push((await spawnUntil(['worker'], env, 'worker ready')).child);
  const port = await freePort();
  const server = await spawnUntil(['mcp', '--http', `127.0.0.1:${port}`], env, 'baton MCP server on');
  children.push(server.child);
  url = `http://127.0.0.1:${port}/mcp`;
  expect(server.stdout).toContain(`baton MCP server on ${url} · requests need Authorization: Bearer $BATON_MCP_TOKEN`);
  client = await connectClient(token);
});
afterAll(async () => {
  await client?.close();
  for (const child of children) child.kill('SIGTERM');
  await closeTestEnv();
});

describe('baton mcp --http', () => {
  it('refuses a wrong or missing token with 401, and a foreign Host with 403', async () => {
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(initialize) });
    const wrong = await post({ authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="baton"');
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token}`, origin: 'http://evil.example' })).status).toBe(403);
    await expect(connectClient('nope')).rejects.toThrow(/unauthorized: send Authorization: Bearer \$BATON_MCP_TOKEN/);
  });

  it('lists the tools, and runs a hand-off with progress notifications', async () => {
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([...batonToolNames].sort());
    const id = uniqueWorkflowId('mcp-http-handoff');
    await call(client, 'start_run', { agent: 'triage', input: 'invoice 7?', id });
    const progress: string[] = [];
    const waited = await call<{ output: string; agent: string }>(client, 'wait_for_run', { id }, { onprogress: (p) => void progress.push(p.message ?? '') });
    expect(waited.structured).toMatchObject({ output: 'Billing here: invoice 7: 42 EUR, paid', agent: 'billing' });
    expect(progress.length).toBeGreaterThanOrEqual(1);
  });

  it('without elicitation, returns the pending approval; decide_approval rejects it with a reason and a name; a subscriber hears of the change', async () => {
    const id = uniqueWorkflowId('mcp-http-approve');
    await call(client, 'start_run', { agent: 'payer', input: 'pay', id });
    const waited = await call<{ waitingForApproval: boolean; finished: boolean; pendingApprovals: Array<{ id: string; tool: string; arguments: unknown; risk: string }> }>(client, 'wait_for_run', { id });
    expect(waited.structured).toMatchObject({ waitingForApproval: true, finished: false, pendingApprovals: [{ id: 'approval-1', tool: 'pay', arguments: { amount: 5 }, risk: 'high' }] });
    const listed = await call<{ pending: Array<{ runId: string; id: string }> }>(client, 'list_pending_approvals');
    expect(listed.structured.pending).toContainEqual(expect.objectContaining({ runId: id, id: 'approval-1' }));
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    // The server has looked at the run when subscribe answers: the decision below is a change it tells.
    await client.subscribeResource({ uri: `baton://runs/${id}` });
    const decided = await call(client, 'decide_approval', { id, approve: false, reason: 'not today', by: 'ann' });
    expect(decided.text).toBe(`rejected approval-1: pay({"amount":5}) in ${id} by ann`);
    expect(decided.structured).toMatchObject({ decision: 'rejected', reason: 'not today', decidedBy: 'ann' });
    const done = await call<{ output: string; finished: boolean }>(client, 'wait_for_run', { id });
    expect(done.structured).toMatchObject({ finished: true, output: 'payment: The call to pay was rejected by a reviewer: not today.' });
    expect(await waitFor(() => updated[0], 'a resources/updated notification', 6000, 100)).toBe(`baton://runs/${id}`);
    const again = await call(client, 'decide_approval', { id, approvalId: 'approval-1', approve: true });
    expect(again.isError).toBe(true);
    expect(again.text.split('\n')).toHaveLength(1);
  });

  it('talks to a session, and reads a continued session\'s conversation back from the content store', async () => {
    const first = uniqueWorkflowId('mcp-http-session');
    expect((await call(client, 'start_run', { agent: 'chat', session: true, id: first })).structured).toMatchObject({ id: first, kind: 'session' });
    expect((await call(client, 'send_message', { id: first, text: 'hello' })).structured).toMatchObject({ turn: 1, agent: 'chat', reply: 'you said: hello' });
    await call(client, 'cancel_run', { id: first });

    // One turn per run: the second turn's run starts from a content-store reference only.
    const id = uniqueWorkflowId('mcp-http-rotating');
    process.env.BATON_TEST_QUEUE = env.BATON_TEST_QUEUE;
    const config = await loadConfig(mcpConfig);
    await new BatonClient((await getTestEnv()).client, config, { namespace: 'default' }).startSession('chat', { workflowId: id, maxTurnsPerRun: 1 });
    await call(client, 'send_message', { id, text: 'hello' });
    expect((await call(client, 'send_message', { id, text: 'again' })).structured).toMatchObject({ turn: 2, reply: 'you said: again' });
    const inspected = await call<{ run: { continuedFrom?: string } }>(client, 'inspect_run', { id });
    expect(inspected.structured.run.continuedFrom).toBeTruthy();
    const transcript = await call<{ messages: Array<{ role: string; text: string }> }>(client, 'get_transcript', { id });
    expect(transcript.structured.messages.map((m) => `${m.role}: ${m.text}`)).toEqual(['user: hello', 'assistant: you said: hello', 'user: again', 'assistant: you said: again']);
    const markdown = await client.readResource({ uri: `baton://runs/${id}/transcript` });
    expect(JSON.stringify(markdown.contents)).toContain('## user\\n\\nhello');
    await call(client, 'cancel_run', { id });
  });
});

describe('baton mcp --http sessions', () => {
  const rpc = (sessionUrl: string, body: object, sessionId?: string, method = 'POST') => fetch(sessionUrl, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`, ...(sessionId ? { 'mcp-session-id': sessionId } : {}) },
    body: method === 'POST' ? JSON.stringify(body) : undefined,
  });
  /** Initializes a session with bare HTTP requests (no standing GET stream); returns its id. */
  const openSession = async (sessionUrl: string) => {
    const init = await rpc(sessionUrl, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    expect(init.status).toBe(200);
    await init.text();
    const id = init.headers.get('mcp-session-id') as string;
    expect((await rpc(sessionUrl, { jsonrpc: '2.0', method: 'notifications/initialized' }, id)).status).toBe(202);
    return id;
  };
  const ping = async (sessionUrl: string, id: string) => {
    const res = await rpc(sessionUrl, { jsonrpc: '2.0', id: 2, method: 'ping' }, id);
    return { status: res.status, body: await res.text() };
  };

  it('ends a session idle longer than --session-idle or deleted by its client, and keeps active and connected ones', async () => {
    const port = await freePort();
    const server = await spawnUntil(['mcp', '--http', `127.0.0.1:${port}`, '--session-idle', '4s'], env, 'baton MCP server on');
    children.push(server.child);
    const sessionUrl = `http://127.0.0.1:${port}/mcp`;
    const idle = await openSession(sessionUrl);
    const active = await openSession(sessionUrl);
    const deleted = await openSession(sessionUrl);
    // An SDK client holds a GET stream open for server notifications: connected, it is not idle.
    const connected = new Client({ name: 'baton-http-idle', version: '1.0.0' });
    await connected.connect(new StreamableHTTPClientTransport(new URL(sessionUrl), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));

    expect((await rpc(sessionUrl, {}, deleted, 'DELETE')).status).toBe(200);
    expect((await ping(sessionUrl, deleted)).status).toBe(404);

    // Pinged every 400 ms for twice the idle time: the active session stays, the idle one ends. The idle time leaves
    // a loaded machine 3.6 s for a ping's round trip before an active session would count as idle.
    const until = Date.now() + 8000;
    while (Date.now() < until) {
      expect((await ping(sessionUrl, active)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 400));
    }
    const gone = await ping(sessionUrl, idle);
    expect(gone.status).toBe(404);
    expect(gone.body).toContain('no such MCP session (it ended or was idle too long)');
    expect(await ping(sessionUrl, active)).toMatchObject({ status: 200, body: expect.stringContaining('"result":{}') });
    await expect(connected.ping()).resolves.toEqual({});
    await connected.close();
  });

  it('refuses a --session-idle that is not a duration', () => {
    expect(baton('mcp', '--http', '127.0.0.1:7398', '--session-idle', 'soon').stderr.trim()).toBe('baton: --session-idle takes a duration such as 90s, 30m or 2h, not "soon"');
  });
});

describe('baton mcp, setup', () => {
  it('refuses to listen beyond loopback without a token', () => {
    const result = spawnSync(process.execPath, batonArgs('mcp', '--http', '0.0.0.0:7399'), { cwd: root, env: { ...env, BATON_MCP_TOKEN: '' }, encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('baton: --http 0.0.0.0:7399 is reachable from other machines: set BATON_MCP_TOKEN to the bearer token clients must send');
  });

  it('prints the setup of Claude Code, Cursor and VS Code', () => {
    const cursor = baton('mcp', '--print-config', 'cursor');
    expect(cursor.stderr).toContain('put this in .cursor/mcp.json');
    const args = [`${root}/bin/baton.cjs`, '--config', mcpConfig, '--address', inject('temporalAddress'), 'mcp'];
    expect(JSON.parse(cursor.stdout)).toEqual({ mcpServers: { baton: { command: 'node', args } } });
    const launch = stdioLaunch(mcpConfig, { address: inject('temporalAddress') });
    expect(launch.args).toEqual(args);
    expect(clientConfig('claude', launch).text).toBe(`claude mcp add baton -- node ${args.join(' ')}`);
    expect(JSON.parse(clientConfig('vscode', launch).text)).toEqual({ servers: { baton: { type: 'stdio', command: 'node', args } } });
    const http = { ...launch, http: { url: 'http://127.0.0.1:7301/mcp', token: true } };
    expect(clientConfig('claude', http).text).toBe('claude mcp add --transport http baton http://127.0.0.1:7301/mcp --header "Authorization: Bearer $BATON_MCP_TOKEN"');
    expect(JSON.parse(clientConfig('cursor', http).text)).toEqual({ mcpServers: { baton: { url: 'http://127.0.0.1:7301/mcp', headers: { Authorization: 'Bearer ${env:BATON_MCP_TOKEN}' } } } });
    expect(JSON.parse(clientConfig('vscode', http).text)).toEqual({
      servers: { baton: { type: 'http', url: 'http://127.0.0.1:7301/mcp', headers: { Authorization: 'Bearer ${input:baton-mcp-token}' } } },
      inputs: [{ type: 'promptString', id: 'baton-mcp-token', description: 'BATON_MCP_TOKEN of the Baton MCP server', password: true }],
    });
    expect(baton('mcp', '--print-config', 'zed').stderr.trim()).toBe('baton: --print-config takes one of claude, cursor, vscode, not "zed"');
  });
});
