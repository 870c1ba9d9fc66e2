import { createHmac } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DatabaseService } from '../../src/database/database.service';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  json: any;
}

export interface Reply {
  status: number;
  /** Answer this late (a slow receiver). */
  delayMs?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for Slack, Resend, Composio or a webhook receiver. It
 * records every request and answers from `route` (default: 200 with `{}`), or from scripted replies
 * queued with `enqueue` first.
 */
export class FakeServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly queue: Reply[] = [];
  private server?: http.Server;
  route: (req: ReceivedRequest) => Reply = () => ({ status: 200, body: {} });

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = raw ? JSON.parse(raw) : undefined;
        } catch {
          json = undefined;
        }
        const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json };
        this.requests.push(received);
        const reply = this.queue.shift() ?? this.route(received);
        const answer = () => {
          res.writeHead(reply.status, { 'Content-Type': 'application/json', ...(reply.headers ?? {}) });
          res.end(reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
        };
        if (reply.delayMs) {
          const timer = setTimeout(answer, reply.delayMs);
          res.on('close', () => clearTimeout(timer)); // the client gave up: nothing to answer
        } else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  enqueue(...replies: Reply[]): void {
    this.queue.push(...replies);
  }

  clear(): void {
    this.requests.length = 0;
    this.queue.length = 0;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/** Composio's Tool Router as our adapter uses it: session creation, then tool execution in the session. */
export function composioRoutes(fake: FakeServer, opts: { notConnected?: string[] } = {}): { sessions: number } {
  const state = { sessions: 0 };
  fake.route = (req) => {
    if (req.method === 'POST' && req.path === '/api/v3.1/tool_router/session') {
      state.sessions++;
      return {
        status: 200,
        body: { session_id: `sess_${state.sessions}`, mcp: { type: 'http', url: `${fake.url}/mcp` }, tool_router_tools: [], config: { user_id: req.json?.user_id } },
      };
    }
    const m = /^\/api\/v3\.1\/tool_router\/session\/([^/]+)\/execute$/.exec(req.path);
    if (req.method === 'POST' && m) {
      const toolkit = String(req.json?.tool_slug ?? '').split('_')[0].toLowerCase();
      if (opts.notConnected?.includes(toolkit)) {
        return { status: 400, body: { error: { message: `No active connection found for toolkit ${toolkit}`, slug: 'ToolRouterV2_NoActiveConnection', code: 4302 } } };
      }
      return { status: 200, body: { data: { ok: true }, error: null, log_id: 'log_1' } };
    }
    return { status: 404, body: { error: { message: 'not found' } } };
  };
  return state;
}

/** Resend's POST /emails. */
export function resendRoutes(fake: FakeServer): void {
  fake.route = (req) =>
    req.method === 'POST' && req.path === '/emails'
      ? { status: 200, body: { id: `email_${fake.requests.length}` } }
      : { status: 404, body: { statusCode: 404, name: 'not_found', message: 'not found' } };
}

/** Verifies `X-Tracer-Signature: t=<unix>,v1=<hex>` the way a receiver would. */
export function verifySignature(header: string | string[] | undefined, raw: string, secret: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header ?? ''));
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${raw}`).digest('hex');
  return expected === m[2];
}

export interface SeedAlert {
  service: string;
  type?: 'error_spike' | 'high_latency' | 'service_down';
  severity?: 'low' | 'medium' | 'high' | 'critical';
  silenced?: boolean;
  value?: number;
  threshold?: number;
  baseline?: number;
  openedAt?: Date;
  message?: string;
}

/**
 * Writes an alert and its 'opened' event the way the lifecycle service does (one transaction), for tests
 * that exercise delivery without going through detection.
 */
export async function seedOpenedAlert(db: DatabaseService, a: SeedAlert): Promise<{ alertId: string; eventId: string }> {
  return db.transaction(async (m) => {
    const [alert] = await m.query(
      `INSERT INTO alerts (service, type, severity, status, silenced, message, value, threshold, baseline, opened_at, last_seen_at)
       VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
      [
        a.service,
        a.type ?? 'error_spike',
        a.severity ?? 'high',
        a.silenced ?? false,
        a.message ?? `Error rate of ${a.service} is far above its baseline`,
        a.value ?? 0.3,
        a.threshold ?? 0.05,
        a.baseline ?? 0.01,
        a.openedAt ?? new Date(),
      ],
    );
    const [event] = await m.query(`INSERT INTO alert_events (alert_id, event, severity) VALUES ($1, 'opened', $2) RETURNING id`, [
      alert.id,
      a.severity ?? 'high',
    ]);
    return { alertId: alert.id as string, eventId: String(event.id) };
  });
}

export async function seedEscalation(db: DatabaseService, alertId: string, severity: string): Promise<string> {
  return db.transaction(async (m) => {
    await m.query(`UPDATE alerts SET severity = $2, occurrences = occurrences + 1 WHERE id = $1`, [alertId, severity]);
    const [event] = await m.query(`INSERT INTO alert_events (alert_id, event, severity) VALUES ($1, 'escalated', $2) RETURNING id`, [alertId, severity]);
    return String(event.id);
  });
}

export async function seedResolution(db: DatabaseService, alertId: string, resolvedAt: Date): Promise<string> {
  return db.transaction(async (m) => {
    const [rows] = await m.query(`UPDATE alerts SET status = 'resolved', resolved_at = $2 WHERE id = $1 RETURNING severity`, [alertId, resolvedAt]);
    const [event] = await m.query(`INSERT INTO alert_events (alert_id, event, severity) VALUES ($1, 'resolved', $2) RETURNING id`, [
      alertId,
      rows[0].severity,
    ]);
    return String(event.id);
  });
}
