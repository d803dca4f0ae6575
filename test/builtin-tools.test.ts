/**
 * The built-in tools under hostile input. The file tool must not read or write outside its
 * folder; the fetch tool must refuse private addresses before any connection (DNS answers
 * are injected, and a spy on socket connects proves nothing was dialled). All traffic goes
 * to a local server on 127.0.0.1.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ToolError, fileTools, httpFetchTool, isPublicAddress, type BatonTool, type HostLookup } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const context = (signal = new AbortController().signal) => ({ idempotencyKey: 'k', agent: 'a', callId: 'c', attempt: 1, signal, heartbeat() {} });

async function call(tool: BatonTool, args: unknown, signal?: AbortSignal): Promise<unknown> {
  const parsed = tool.parseArguments(args);
  if (!parsed.ok) throw new Error(`bad arguments: ${parsed.error}`);
  return tool.execute(parsed.value, context(signal));
}

async function refusal(promise: Promise<unknown>): Promise<ToolError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolError);
  expect((err as ToolError).kind).toBe('refused');
  return err as ToolError;
}

describe('file tools', () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'baton-files-'));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  const sibling = path.join(base, 'rootbc'); // shares the root's name as a prefix
  mkdirSync(path.join(root, 'docs'), { recursive: true });
  mkdirSync(outside);
  mkdirSync(sibling);
  writeFileSync(path.join(root, 'docs', 'a.txt'), 'inside');
  writeFileSync(path.join(root, '..dots'), 'a name that starts with two dots');
  writeFileSync(path.join(outside, 'secret.txt'), 'SECRET');
  writeFileSync(path.join(sibling, 'secret.txt'), 'SIBLING SECRET');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link-to-secret'));
  symlinkSync(outside, path.join(root, 'link-to-outside'));
  symlinkSync(sibling, path.join(root, 'link-to-sibling')); // realpath starts with the root's path, yet is outside
  symlinkSync(path.join(outside, 'new.txt'), path.join(root, 'dangling'));
  symlinkSync(path.join(root, 'docs', 'a.txt'), path.join(root, 'link-inside'));
  const [read, list, write] = fileTools({ root, allowWrite: true, maxBytes: 100 }) as [BatonTool, BatonTool, BatonTool];

  it('reads, lists and writes inside its folder', async () => {
    expect(await call(read, { path: 'docs/a.txt' })).toBe('inside');
    expect(await call(read, { path: './docs/../docs/a.txt' })).toBe('inside');
    expect(await call(read, { path: 'link-inside' })).toBe('inside');
    expect(await call(read, { path: '..dots' })).toBe('a name that starts with two dots');
    expect(await call(list, { path: 'docs' })).toEqual([{ name: 'a.txt', type: 'file', size: 6 }]);
    const listed = (await call(list, {})) as Array<{ name: string; type: string; size: number | null }>;
    expect(listed.find((e) => e.name === 'link-to-outside')).toEqual({ name: 'link-to-outside', type: 'symlink', size: null });
    expect(listed.find((e) => e.name === 'docs')).toEqual({ name: 'docs', type: 'dir', size: null });
    expect(await call(write, { path: 'out/new.txt', content: 'hello' })).toEqual({ path: 'out/new.txt', bytes: 5 });
    expect(readFileSync(path.join(root, 'out', 'new.txt'), 'utf8')).toBe('hello');
    const tooBig = await refusal(call(write, { path: 'out/big.txt', content: 'x'.repeat(101) }));
    expect(tooBig.message).toBe('the content is 101 bytes, over the limit of 100; nothing was written');
    expect(existsSync(path.join(root, 'out', 'big.txt'))).toBe(false);
    expect(read.spec.name).toBe('file_read');
    expect(write.spec.risk).toBe('medium');
    expect(fileTools({ root }).map((t) => t.spec.name)).toEqual(['file_read', 'file_list']);
  });

  it('refuses paths that leave the folder, and never shows where the folder is', async () => {
    const hostile = ['../outside/secret.txt', 'docs/../../outside/secret.txt', '/etc/passwd', path.join(outside, 'secret.txt'), 'C:\\Windows\\win.ini', 'c:/x', '..\\outside\\secret.txt', 'docs/a.txt\0.png', `../${path.basename(sibling)}/secret.txt`, 'link-to-secret', 'link-to-outside/secret.txt', 'link-to-sibling/secret.txt'];
    for (const p of hostile) {
      const err = await refusal(call(read, { path: p }));
      if (!p.includes(base)) expect(err.message).not.toContain(base);
    }
    await refusal(call(list, { path: 'link-to-outside' }));
    await refusal(call(list, { path: '..' }));
  });

  it('refuses writes through links out of the folder, leaving the outside untouched', async () => {
    await refusal(call(write, { path: 'link-to-secret', content: 'pwned' }));
    await refusal(call(write, { path: 'link-to-outside/planted.txt', content: 'pwned' }));
    await refusal(call(write, { path: 'dangling', content: 'pwned' }));
    await refusal(call(write, { path: '../outside/planted.txt', content: 'pwned' }));
    await refusal(call(write, { path: 'link-to-sibling/planted.txt', content: 'pwned' }));
    expect(existsSync(path.join(sibling, 'planted.txt'))).toBe(false);
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('SECRET');
    expect(existsSync(path.join(outside, 'planted.txt'))).toBe(false);
    expect(existsSync(path.join(outside, 'new.txt'))).toBe(false);
  });

  it('reports missing and oversized files to the model without retrying', async () => {
    const missing = await call(read, { path: 'docs/none.txt' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ToolError);
    expect((missing as ToolError).message).toBe('no such file: docs/none.txt');
    const notDir = await call(list, { path: 'docs/a.txt' }).catch((e: unknown) => e);
    expect(notDir).toBeInstanceOf(ToolError);
    expect((notDir as ToolError).message).not.toContain(base);
    writeFileSync(path.join(root, 'big.txt'), 'x'.repeat(101));
    expect(String(await call(read, { path: 'big.txt' }).catch((e: unknown) => e))).toMatch(/over the limit of 100/);
  });
});

describe('built-in tools in a run', () => {
  it('gives a refusal back to the model as an error at once, and records it in the run\'s state', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'baton-files-run-'));
    writeFileSync(path.join(root, 'notes.md'), 'meeting at noon');
    const model = ScriptedModel.respondWith(({ messages }) => {
      const results = messages.filter((m) => m.role === 'tool');
      if (!results.length) return { toolCalls: [{ name: 'file_read', arguments: { path: '../../etc/passwd' } }, { name: 'file_read', arguments: { path: 'notes.md' } }, { name: 'file_read', arguments: { path: `${'n'.repeat(300)}.md` } }] };
      return { text: results.map((m) => `${m.isError ? 'ERROR ' : ''}${m.content}`).join(' | ') };
    });
    const baton = await startTestBaton({ models: { scripted: model }, tools: fileTools({ root }), agents: { reader: { provider: 'scripted', model: 's', tools: ['file_read', 'file_list'] } } });
    const { result, state, attempts } = await baton.run(async () => {
      const handle = await baton.client.startAgent('reader', 'read my notes');
      const result = await handle.result();
      const history = await handle.fetchHistory();
      const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes && (e.activityTaskStartedEventAttributes.attempt ?? 1) > 1).length;
      return { result, state: await handle.query(stateQuery), attempts };
    });
    // An errno (here ENAMETOOLONG) is a tool error too: at once, without retries, and without the real root.
    expect(result.output).toBe(`ERROR refused: "../../etc/passwd" leads outside the tool's folder | meeting at noon | ERROR a name in "${'n'.repeat(300)}.md" is too long for the file system`);
    expect(state.refusedCalls).toEqual([{ agent: 'reader', tool: 'file_read', turn: 1 }]);
    expect(attempts).toBe(0);
  });
});

describe('isPublicAddress', () => {
  it('tells public addresses from private, loopback, link-local and reserved ones', () => {
    for (const a of ['8.8.8.8', '93.184.216.34', '2606:4700::1111', '2a00:1450:4001::200e']) expect(isPublicAddress(a)).toBe(true);
    const blocked = [
      '127.0.0.1', '127.255.0.9', '10.0.0.5', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1',
      '172.31.0.1', '100.127.255.255', '240.0.0.1', '0.1.2.3',
      '::1', '::', '::ffff:0:7f00:1', '2001:0:4136:e378::1', '64:ff9b::7f00:1', '::127.0.0.1', 'FE80::abcd', 'fd00::1', 'fc00::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '::ffff:a00:1', '::ffff:7f00:1', '64:ff9b::a00:1', '2002:a00:1::1', '2001:db8::1', 'not-an-ip',
    ];
    for (const a of blocked) expect(isPublicAddress(a), a).toBe(false);
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
    expect(isPublicAddress('64:ff9b::808:808')).toBe(true);
    for (const a of ['172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '192.169.0.1', '11.0.0.1', '223.255.255.254']) expect(isPublicAddress(a), a).toBe(true);
  });
});

describe('http fetch tool', () => {
  let server: http.Server;
  let port: number;
  const seen: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
  const loopbackOnly = (address: string) => address === '127.0.0.1';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const redirect = (to: string) => res.writeHead(302, { location: to }).end();
      switch (req.url) {
        case '/hello': return void res.writeHead(200, { 'content-type': 'text/plain' }).end('hi there');
        case '/headers': return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
        case '/big': return void res.writeHead(200).end('y'.repeat(5000));
        case '/slow': return; // never answers
        case '/to-evil': return redirect('http://evil.test/');
        case '/to-private': return redirect('http://redirector.test/x');
        case '/to-other-origin': return redirect(`http://other.test:${port}/headers`);
        case '/loop': return redirect('/loop');
        default: return void res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  afterEach(() => vi.restoreAllMocks());

  const dns = (answers: Record<string, string[]>) => {
    const asked: string[] = [];
    const lookup: HostLookup = async (host) => {
      asked.push(host);
      return (answers[host] ?? []).map((address) => ({ address, family: net.isIP(address) as 4 | 6 }));
    };
    return { lookup, asked };
  };

  it('fetches an allowed host at the address it checked', async () => {
    let calls = 0;
    const lookup: HostLookup = async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }]);
    const tool = httpFetchTool({ allowHosts: ['api.test'], lookup, isAllowedAddress: loopbackOnly });
    expect(await call(tool, { url: `http://api.test:${port}/hello` })).toEqual({ status: 200, url: `http://api.test:${port}/hello`, contentType: 'text/plain', body: 'hi there' });
    expect(calls).toBe(1); // resolved once, connected to that answer: a rebinding DNS gets no second say
    expect(seen.at(-1)?.headers.host).toBe(`api.test:${port}`);
    const big = httpFetchTool({ allowHosts: ['api.test'], lookup, isAllowedAddress: loopbackOnly, maxBytes: 1000 });
    calls = 0;
    expect(((await call(big, { url: `http://api.test:${port}/big` })) as { body: string }).body).toBe(`${'y'.repeat(1000)}\n[truncated at 1000 bytes]`);
  });

  it('reaches loopback only when private addresses are allowed; HEAD, timeouts, cancellation and bad headers', async () => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const { lookup } = dns({ 'api.test': ['127.0.0.1'] });
    const tool = httpFetchTool({ allowHosts: ['api.test', 'redirector.test'], lookup, allowPrivateAddresses: true, timeoutMs: 300 });
    expect(tool.spec.name).toBe('http_fetch');
    expect(tool.spec.risk).toBe('medium');
    expect(await call(tool, { url: `http://API.test:${port}/hello` })).toEqual({ status: 200, url: `http://api.test:${port}/hello`, contentType: 'text/plain', body: 'hi there' });
    expect(connect).toHaveBeenCalled(); // the spy the refusal tests rely on does see connections
    expect(await call(tool, { url: `http://api.test:${port}/hello`, method: 'HEAD' })).toMatchObject({ status: 200, body: '' });
    expect(await call(tool, { url: `http://api.test:${port}/missing` })).toMatchObject({ status: 404, body: 'not found' });
    // A timeout or a cancellation is a plain error (retryable), not a tool error.
    const timedOut = await call(tool, { url: `http://api.test:${port}/slow` }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(Error);
    expect(timedOut).not.toBeInstanceOf(ToolError);
    expect(String(timedOut)).toMatch(/no complete answer within 300 ms/);
    const cancel = new AbortController();
    const pending = call(httpFetchTool({ allowHosts: ['api.test'], lookup, allowPrivateAddresses: true }), { url: `http://api.test:${port}/slow` }, cancel.signal);
    setTimeout(() => cancel.abort(new Error('run cancelled')), 100);
    expect(String(await pending.catch((e: unknown) => e))).toMatch(/run cancelled/);
    const badHeader = await call(tool, { url: `http://api.test:${port}/hello`, headers: { 'X-Evil': 'a\r\nInjected: 1' } }).catch((e: unknown) => e);
    expect(badHeader).toBeInstanceOf(ToolError);
    expect(seen.some((s) => s.headers.injected !== undefined)).toBe(false);
  });

  it('refuses private, loopback and link-local answers before connecting', async () => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const before = seen.length;
    for (const answer of [['10.0.0.5'], ['169.254.169.254'], ['127.0.0.1'], ['::1'], ['fd00::1'], ['::ffff:10.0.0.1'], ['93.184.216.34', '10.0.0.1']]) {
      const { lookup } = dns({ 'api.test': answer });
      const err = await refusal(call(httpFetchTool({ allowHosts: ['api.test'], lookup }), { url: 'http://api.test/hello' }));
      expect(err.message).toMatch(/resolves to .*private, loopback or reserved/);
    }
    for (const url of ['http://127.0.0.1/', 'http://[::1]/', 'http://169.254.169.254/latest/meta-data/', 'http://0x7f000001/']) {
      await refusal(call(httpFetchTool({ allowHosts: ['127.0.0.1', '::1', '169.254.169.254'], lookup: dns({}).lookup }), { url }));
    }
    expect(connect).not.toHaveBeenCalled();
    expect(seen.length).toBe(before);
  });

  it('refuses hosts off the allowlist, other schemes, credentials and a Host header without a DNS query', async () => {
    const connect = vi.spyOn(net.Socket.prototype, 'connect');
    const { lookup, asked } = dns({ 'api.test': ['93.184.216.34'] });
    const tool = httpFetchTool({ allowHosts: ['api.test', '*.docs.test'], lookup });
    for (const url of ['http://evil.test/', 'http://api.test.evil.test/', 'http://docs.test/', 'file:///etc/passwd', 'ftp://api.test/x', 'gopher://api.test/', 'http://user:pw@api.test/']) {
      await refusal(call(tool, { url }));
    }
    await refusal(call(tool, { url: 'http://api.test/', headers: { Host: 'internal' } }));
    expect(asked).toEqual([]);
    expect(connect).not.toHaveBeenCalled();
  });

  it('checks every redirect like the first URL, and drops credentials across origins', async () => {
    const { lookup, asked } = dns({ 'api.test': ['127.0.0.1'], 'redirector.test': ['10.0.0.1'], 'other.test': ['127.0.0.1'] });
    const tool = httpFetchTool({ allowHosts: ['api.test', 'redirector.test', 'other.test'], lookup, isAllowedAddress: loopbackOnly, maxRedirects: 3 });
    expect((await refusal(call(tool, { url: `http://api.test:${port}/to-evil` }))).message).toMatch(/host "evil.test" is not on this tool's allowlist/);
    const before = seen.length;
    expect((await refusal(call(tool, { url: `http://api.test:${port}/to-private` }))).message).toMatch(/redirector.test" resolves to 10.0.0.1/);
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/to-private']); // the private hop was never dialled
    expect(asked).toContain('redirector.test');
    const moved = (await call(tool, { url: `http://api.test:${port}/to-other-origin`, headers: { Authorization: 'Bearer t', Cookie: 'c=1', 'X-Trace': 'keep' } })) as { url: string; body: string };
    expect(moved.url).toBe(`http://other.test:${port}/headers`);
    const headers = JSON.parse(moved.body) as Record<string, string>;
    expect(headers['x-trace']).toBe('keep');
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(String(await call(tool, { url: `http://api.test:${port}/loop` }).catch((e: unknown) => e))).toMatch(/too many redirects \(more than 3\)/);
  });
});
