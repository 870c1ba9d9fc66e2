import { gunzipSync } from 'node:zlib';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the proxy saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When it arrived (ms). */
  at: number;
  /** The status the client got. */
  status?: number;
}

/** A canned answer the proxy gives instead of forwarding (a fault), once per queued item. */
export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * An HTTP proxy in front of the real app that records every request and can inject faults: answer the
 * next requests with a given status (503 + Retry-After...), or be down altogether (connection refused),
 * then come back on the same port. Everything it does not fault is forwarded to the app unchanged.
 */
export class FaultProxy {
  readonly seen: SeenRequest[] = [];
  private readonly faults: Fault[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly targetPort: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers the next request with `fault` instead of forwarding it. */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen: SeenRequest = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
        this.seen.push(seen);
        const fault = this.faults.shift();
        if (fault) {
          seen.status = fault.status;
          res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers });
          res.end(fault.body ?? JSON.stringify({ statusCode: fault.status, error: 'Injected', message: 'injected by the test proxy' }));
          return;
        }
        const upstream = request(
          { host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            seen.status = up.statusCode;
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on('error', () => {
          seen.status = 502;
          res.writeHead(502).end();
        });
        upstream.end(seen.body);
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections: clients get connection refused/reset. */
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Listens again on the same port. */
  async up(): Promise<void> {
    await this.start(this.port);
  }

  /** The logs of each POST /logs request seen, in order. */
  batches(): { key: string | undefined; messages: string[]; status?: number }[] {
    return this.seen
      .filter((r) => r.method === 'POST' && r.url === '/logs')
      .map((r) => ({
        key: r.headers['idempotency-key'] as string | undefined,
        messages: (JSON.parse(bodyText(r)) as { logs: { message: string }[] }).logs.map((l) => l.message),
        status: r.status,
      }));
  }
}

/** The request body as text, inflated when the client gzipped it (the SDK does by default). */
export function bodyText(r: { headers: Record<string, unknown>; body: Buffer }): string {
  return (r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body).toString();
}
