/**
 * Built-in HTTP fetch tool, fenced against server-side request forgery. A URL is fetched
 * only if its host is on the allowlist and every address the host resolves to is public;
 * the connection then goes to the address that was checked (so a second DNS answer cannot
 * swap it), and each redirect is checked the same way before it is followed.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { z } from 'zod';
import { ToolError, defineTool, type BatonTool } from '../define-tool';

export type ResolvedAddress = { address: string; family: 4 | 6 };
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

export interface HttpFetchOptions {
  /** Hosts the tool may fetch: exact names (`api.example.com`) or `*.example.com` for subdomains. */
  allowHosts: string[];
  name?: string;
  /** Body bytes returned at most (default 200 000); longer bodies are cut and say so. */
  maxBytes?: number;
  maxRedirects?: number;
  timeoutMs?: number;
  /** DNS resolution (default: the system resolver, all addresses). */
  lookup?: HostLookup;
  /** Lets private, loopback and reserved addresses through (default false: public addresses only). */
  allowPrivateAddresses?: boolean;
  /** Which resolved addresses may be connected to; overrides `allowPrivateAddresses` (default: `isPublicAddress`). */
  isAllowedAddress?: (address: string) => boolean;
}

/** Expands an IPv6 address to eight 16-bit groups (an embedded dotted quad included). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const bytes = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${((bytes[0] ?? 0) * 256 + (bytes[1] ?? 0)).toString(16)}:${((bytes[2] ?? 0) * 256 + (bytes[3] ?? 0)).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  const groups = [...left, ...fill, ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

function isPublicIpv4(address: string): boolean {
  const [a = 0, b = 0, c = 0] = address.split('.').map(Number);
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false; // this network, private, loopback, multicast, reserved
  if (a === 100 && b >= 64 && b <= 127) return false; // carrier-grade NAT
  if (a === 169 && b === 254) return false; // link-local (cloud metadata)
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false; // IETF protocol assignments, TEST-NET-1
  if (a === 198 && (b === 18 || b === 19)) return false; // benchmarking
  if ((a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return false; // TEST-NET-2, -3
  return true;
}

/** True for addresses on the public internet; false for private, loopback, link-local, reserved and the like. */
export function isPublicAddress(address: string): boolean {
  const kind = net.isIP(address.replace(/%.*$/, ''));
  if (kind === 4) return isPublicIpv4(address);
  if (kind !== 6) return false;
  const g = ipv6Groups(address);
  if (!g) return false;
  const [g0 = 0, g1 = 0, , , , g5 = 0, g6 = 0, g7 = 0] = g;
  const embeddedV4 = `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`;
  if (g.slice(0, 7).every((x) => x === 0)) return false; // :: and ::1
  if (g.slice(0, 5).every((x) => x === 0) && g5 === 0xffff) return isPublicIpv4(embeddedV4); // IPv4-mapped
  if (g.slice(0, 6).every((x) => x === 0)) return isPublicIpv4(embeddedV4); // IPv4-compatible (deprecated)
  if (g0 === 0) return false; // the rest of ::/16: IPv4-translated (::ffff:0:0/96) and reserved
  if (g0 === 0x64 && g1 === 0xff9b) return isPublicIpv4(embeddedV4); // NAT64
  if (g0 === 0x2002) return isPublicIpv4(`${g1 >> 8}.${g1 & 0xff}.${(g[2] ?? 0) >> 8}.${(g[2] ?? 0) & 0xff}`); // 6to4
  if ((g0 & 0xfe00) === 0xfc00) return false; // unique local
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return false; // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return false; // multicast
  if (g0 === 0x2001 && g1 === 0xdb8) return false; // documentation
  if (g0 === 0x2001 && g1 === 0) return false; // Teredo (a hidden IPv4 address)
  if (g0 === 0x100 && g1 === 0 && g[2] === 0 && g[3] === 0) return false; // discard
  return true;
}

function hostAllowed(host: string, allowHosts: string[]): boolean {
  return allowHosts.some((pattern) => {
    const p = pattern.toLowerCase().replace(/^\[|\]$/g, '');
    return p.startsWith('*.') ? host.endsWith(p.slice(1)) && host.length > p.length - 1 : host === p;
  });
}

/** Rejects when `signal` aborts, so a slow DNS answer cannot outlast the timeout or a cancellation. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const defaultLookup: HostLookup = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })) as ResolvedAddress[];
const hopHeadersToDrop = /^(host|cookie|authorization|proxy-.*)$/i;

interface Hop { url: URL; address: ResolvedAddress }

export function httpFetchTool(options: HttpFetchOptions): BatonTool {
  const maxBytes = options.maxBytes ?? 200_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const lookup = options.lookup ?? defaultLookup;
  const allowed = options.isAllowedAddress ?? (options.allowPrivateAddresses ? (address: string) => net.isIP(address) !== 0 : isPublicAddress);
  const refuse = (why: string): never => {
    throw new ToolError(`refused: ${why}`, 'refused');
  };

  /** Every check for one URL, before any connection: scheme, credentials, host, addresses. */
  async function check(raw: string, signal: AbortSignal, base?: URL): Promise<Hop> {
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      throw new ToolError(`not a valid URL: ${raw}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') refuse(`only http and https URLs may be fetched, not ${url.protocol}`);
    if (url.username || url.password) refuse('URLs with credentials are not allowed');
    const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
    if (!hostAllowed(host, options.allowHosts)) refuse(`host "${host}" is not on this tool's allowlist`);
    signal.throwIfAborted();
    const addresses: ResolvedAddress[] = net.isIP(host) ? [{ address: host, family: net.isIP(host) as 4 | 6 }] : await abortable(lookup(host), signal);
    if (!addresses.length) throw new ToolError(`host "${host}" did not resolve to any address`);
    const bad = addresses.find((a) => !net.isIP(a.address) || !allowed(a.address));
    if (bad) refuse(`host "${host}" resolves to ${bad.address}, a private, loopback or reserved address`);
    const first = (addresses[0] as ResolvedAddress).address;
    return { url, address: { address: first, family: net.isIP(first) as 4 | 6 } };
  }

  function request(hop: Hop, method: string, headers: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
    const client = hop.url.protocol === 'https:' ? https : http;
    const pinned = hop.address;
    return new Promise((resolve, reject) => {
      let req: http.ClientRequest;
      try {
        req = client.request(hop.url, {
          method,
          headers,
          signal,
          // A fresh connection per request: a pooled socket may lead to an address checked under other rules.
          agent: false,
          // Connect to the address that was checked, whatever DNS says now.
          lookup: ((_host: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) =>
            opts.all ? callback(null, [pinned]) : callback(null, pinned.address, pinned.family)) as unknown as net.LookupFunction,
        });
      } catch (err) {
        // Node validates headers as the request is built: a bad name or value is the caller's to fix.
        reject(new ToolError(`invalid request: ${(err as Error).message}`));
        return;
      }
      req.once('response', resolve);
      req.once('error', reject);
      req.end();
    });
  }

  async function readBody(response: http.IncomingMessage): Promise<{ body: string; truncated: boolean }> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      size += buffer.length;
      if (size > maxBytes) {
        response.destroy();
        return { body: Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8'), truncated: true };
      }
    }
    return { body: Buffer.concat(chunks).toString('utf8'), truncated: false };
  }

  async function fetchFollowing(url: string, method: 'GET' | 'HEAD', headers: Record<string, string>, signal: AbortSignal) {
    let hop = await check(url, signal);
    let sent = { ...headers };
    for (let redirects = 0; ; redirects++) {
      const response = await request(hop, method, sent, signal);
      const location = response.headers.location;
      if (response.statusCode && response.statusCode >= 300 && response.statusCode < 400 && location) {
        response.resume();
        if (redirects >= maxRedirects) throw new ToolError(`too many redirects (more than ${maxRedirects})`);
        const next = await check(location, signal, hop.url);
        // Credentials are for the origin the caller named, not for wherever it redirects.
        if (next.url.origin !== hop.url.origin) sent = Object.fromEntries(Object.entries(sent).filter(([h]) => !hopHeadersToDrop.test(h)));
        hop = next;
        continue;
      }
      if (method === 'HEAD') response.resume();
      const { body, truncated } = method === 'HEAD' ? { body: '', truncated: false } : await readBody(response);
      return {
        status: response.statusCode ?? 0,
        url: hop.url.toString(),
        contentType: response.headers['content-type'] ?? null,
        body: truncated ? `${body}\n[truncated at ${maxBytes} bytes]` : body,
      };
    }
  }

  return defineTool({
    name: options.name ?? 'http_fetch',
    description: `Fetches a web page or API over HTTP(S) (GET or HEAD). Allowed hosts: ${options.allowHosts.join(', ')}.`,
    input: z.object({
      url: z.string().min(1),
      method: z.enum(['GET', 'HEAD']).default('GET'),
      headers: z.record(z.string(), z.string()).default({}),
    }),
    risk: 'medium',
    startToCloseTimeout: `${Math.ceil((options.timeoutMs ?? 15_000) / 1000) + 5}s`,
    async execute({ url, method, headers }, ctx) {
      if (Object.keys(headers).some((h) => h.toLowerCase() === 'host')) refuse('the Host header cannot be set');
      const timeoutMs = options.timeoutMs ?? 15_000;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([ctx.signal, timeout]);
      try {
        return await fetchFollowing(url, method, headers, signal);
      } catch (err) {
        // Refusals and the caller's mistakes go to the model; a timeout or a cancellation stays a plain (retryable) error.
        if (err instanceof ToolError) throw err;
        if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('the fetch was cancelled');
        if (timeout.aborted) throw new Error(`no complete answer within ${timeoutMs} ms`);
        throw err;
      }
    },
  });
}
