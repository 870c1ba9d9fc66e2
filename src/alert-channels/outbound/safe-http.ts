import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { isForbiddenAddress, OutboundTargetError, urlHost } from './address-guard';

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text, cut at 64 KiB (only error messages are read from it). */
  body: string;
}

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Name resolution, replaceable in tests (a name that resolves to 127.0.0.1). */
  lookup?: typeof dnsLookup;
}

/** The request did not finish within its time budget. */
export class OutboundTimeoutError extends Error {
  constructor(ms: number) {
    super(`no response within ${ms} ms`);
    this.name = 'OutboundTimeoutError';
  }
}

const MAX_BODY = 64 * 1024;

/**
 * A DNS lookup that refuses private addresses and pins the answer: the socket connects to exactly the
 * address checked here, so a name that resolves differently a moment later (DNS rebinding) cannot slip
 * through between the check and the connection.
 */
function guardedLookup(resolve: typeof dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as LookupAddress[];
      const bad = list.find((a) => isForbiddenAddress(a.address));
      if (bad) {
        const e = new OutboundTargetError(`${hostname} resolves to a private or loopback address (${bad.address})`);
        return callback(e as NodeJS.ErrnoException, '', 0);
      }
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}

/**
 * POSTs a body to a webhook target with the outbound-safety rules of DESIGN §6: unless private targets
 * are allowed, IP-literal hosts are checked before connecting, names are resolved through a lookup that
 * refuses private addresses, and the connected socket's peer address is checked once more. Redirects are
 * never followed (a 3xx comes back as it is). The whole exchange has one time budget.
 */
export function postOutbound(req: OutboundRequest): Promise<OutboundResponse> {
  return new Promise((resolvePromise, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return reject(new OutboundTargetError('not an absolute URL'));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return reject(new OutboundTargetError('not an http(s) URL'));
    const host = urlHost(url);
    if (!req.allowPrivate && isIP(host) && isForbiddenAddress(host)) {
      return reject(new OutboundTargetError(`${host} is a private or loopback address`));
    }
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (err: Error | null, res?: OutboundResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolvePromise(res!);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...req.headers, 'Content-Length': String(Buffer.byteLength(req.body)) },
        agent: false,
        ...(req.allowPrivate ? {} : { lookup: guardedLookup(req.lookup ?? dnsLookup) }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          finish(null, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY),
          }),
        );
        res.on('error', (e) => finish(e));
      },
    );
    const timer = setTimeout(() => {
      const e = new OutboundTimeoutError(req.timeoutMs);
      request.destroy(e);
      finish(e);
    }, req.timeoutMs);
    request.on('socket', (socket: Socket) => {
      if (req.allowPrivate) return;
      // Belt and braces: judge the address the socket really reached, whatever resolved it.
      socket.once('connect', () => {
        const peer = socket.remoteAddress;
        if (!peer || isForbiddenAddress(peer)) {
          const e = new OutboundTargetError(`connected to a private or loopback address (${peer ?? 'unknown'})`);
          request.destroy(e);
          finish(e);
        }
      });
    });
    request.on('error', (e) => finish(e));
    request.end(req.body);
  });
}
