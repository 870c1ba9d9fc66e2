/**
 * The dashboard's API layer. GET /logs goes through the SDK's client generated from openapi.json
 * (sdk/src/api.ts: openapi-typescript + openapi-fetch). /services, /metrics and /alerts were not in the
 * committed openapi.json when this was written, so they use a small typed fetch with the response shapes of
 * src/metrics and src/anomalies (the DTOs below mirror them); move them to the SDK client once it has them.
 */
import { createTracerApi, type TracerApi } from '../../sdk/src/api';
import type { components } from '../../sdk/src/generated/openapi';

export type Log = components['schemas']['LogDto'];
export type LogPage = components['schemas']['LogPageDto'];
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export const LEVELS: Level[] = ['debug', 'info', 'warn', 'error', 'fatal'];

export interface ServiceStatus {
  name: string;
  firstSeenAt: string;
  lastSeenAt: string;
  status: 'healthy' | 'degraded' | 'down';
  openAlerts: number;
  windowStart: string | null;
  logCount: number;
  errorRate: number;
  latencyP95: number | null;
}

export interface MetricWindow {
  service: string;
  windowStart: string;
  windowEnd: string;
  logCount: number;
  errorCount: number;
  warnCount: number;
  errorRate: number;
  latencyAvg: number | null;
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
  latencyMax: number | null;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface Alert {
  id: string;
  service: string;
  type: string;
  severity: Severity;
  status: AlertStatus;
  silenced: boolean;
  message: string;
  value: number | null;
  threshold: number | null;
  baseline: number | null;
  openedAt: string;
  lastSeenAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  occurrences: number;
}

export interface AlertEvent {
  id: string;
  event: 'opened' | 'escalated' | 'resolved';
  severity: Severity;
  createdAt: string;
}

export interface AlertDetail extends Alert {
  events: AlertEvent[];
}

/** Filters of GET /logs (and of the live tail, which takes the same ones but limit and cursor). */
export interface LogFilters {
  service?: string;
  level?: Level[];
  from?: string;
  to?: string;
  q?: string;
  traceId?: string;
  /** metadata.<key>=<value> pairs */
  metadata?: [string, string][];
  limit?: number;
}

/** An error answer of Tracer (its error envelope), or a network failure (status 0). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function errorFrom(res: Response, what: string): Promise<ApiRequestError> {
  let message = res.statusText || 'request failed';
  try {
    const body = (await res.json()) as { message?: unknown; details?: { field?: string; message?: string }[] };
    if (typeof body.message === 'string') message = body.message;
    if (Array.isArray(body.details) && body.details.length) {
      message += `: ${body.details.map((d) => (d.field ? `${d.field} ${d.message}` : d.message)).join('; ')}`;
    }
  } catch {
    // not JSON: keep the status text
  }
  return new ApiRequestError(res.status, `${what} failed (${res.status}): ${message}`);
}

/** Query parameters of GET /logs and GET /logs/stream. */
export function logQuery(f: LogFilters, cursor?: string): URLSearchParams {
  const p = new URLSearchParams();
  if (f.service) p.set('service', f.service);
  if (f.level?.length) p.set('level', f.level.join(','));
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  if (f.q) p.set('q', f.q);
  if (f.traceId) p.set('traceId', f.traceId);
  for (const [k, v] of f.metadata ?? []) p.append(`metadata.${k}`, v);
  if (f.limit) p.set('limit', String(f.limit));
  if (cursor) p.set('cursor', cursor);
  return p;
}

export class TracerDashboardApi {
  private readonly sdk: TracerApi;

  constructor(readonly apiKey: string) {
    this.sdk = createTracerApi({ apiUrl: location.origin, apiKey, fetch: (req) => fetch(req) });
  }

  private headers(): HeadersInit {
    return { Authorization: `Bearer ${this.apiKey}`, Accept: 'application/json' };
  }

  private async request<T>(method: 'GET' | 'POST', path: string, params?: URLSearchParams, signal?: AbortSignal): Promise<T> {
    const qs = params && [...params.keys()].length ? `?${params}` : '';
    let res: Response;
    try {
      res = await fetch(`${path}${qs}`, { method, headers: this.headers(), signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiRequestError(0, `${method} ${path} failed: ${(e as Error).message || 'network error'}`);
    }
    if (!res.ok) throw await errorFrom(res, `${method} ${path}`);
    return (await res.json()) as T;
  }

  /** GET /logs through the generated SDK client. `metadata.<key>` filters are dynamic keys: passed as extra query. */
  async listLogs(f: LogFilters, cursor?: string, signal?: AbortSignal): Promise<LogPage> {
    const query = Object.fromEntries(logQuery(f, cursor)) as Record<string, string>;
    let result;
    try {
      result = await this.sdk.GET('/logs', { params: { query }, signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiRequestError(0, `GET /logs failed: ${(e as Error).message || 'network error'}`);
    }
    if (result.error !== undefined || !result.data) {
      const body = result.error as { message?: string } | undefined;
      throw new ApiRequestError(result.response.status, `GET /logs failed (${result.response.status}): ${body?.message ?? result.response.statusText}`);
    }
    return result.data;
  }

  listServices(signal?: AbortSignal): Promise<{ data: ServiceStatus[] }> {
    return this.request('GET', '/services', undefined, signal);
  }

  listMetrics(service: string, from: Date, to: Date, signal?: AbortSignal): Promise<{ data: MetricWindow[] }> {
    return this.request('GET', '/metrics', new URLSearchParams({ service, from: from.toISOString(), to: to.toISOString() }), signal);
  }

  listAlerts(query: { status?: AlertStatus; service?: string; limit?: number }, signal?: AbortSignal): Promise<{ data: Alert[]; nextCursor: string | null }> {
    const p = new URLSearchParams();
    if (query.status) p.set('status', query.status);
    if (query.service) p.set('service', query.service);
    if (query.limit) p.set('limit', String(query.limit));
    return this.request('GET', '/alerts', p, signal);
  }

  getAlert(id: string, signal?: AbortSignal): Promise<AlertDetail> {
    return this.request('GET', `/alerts/${encodeURIComponent(id)}`, undefined, signal);
  }

  acknowledgeAlert(id: string): Promise<Alert> {
    return this.request('POST', `/alerts/${encodeURIComponent(id)}/acknowledge`);
  }

  resolveAlert(id: string): Promise<Alert> {
    return this.request('POST', `/alerts/${encodeURIComponent(id)}/resolve`);
  }

  /**
   * GET /logs/stream read with fetch and a stream reader (EventSource cannot send Authorization). Calls
   * onLog for each `data:` line of an SSE event; resolves when the server ends the stream or `signal` aborts.
   */
  async tail(f: LogFilters, onLog: (log: Log) => void, signal: AbortSignal, onOpen?: () => void): Promise<void> {
    const p = logQuery({ ...f, limit: undefined });
    let res: Response;
    try {
      res = await fetch(`/logs/stream${[...p.keys()].length ? `?${p}` : ''}`, {
        headers: { Authorization: `Bearer ${this.apiKey}`, Accept: 'text/event-stream' },
        signal,
        cache: 'no-store',
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      throw new ApiRequestError(0, `GET /logs/stream failed: ${(e as Error).message || 'network error'}`);
    }
    if (!res.ok || !res.body) throw await errorFrom(res, 'GET /logs/stream');
    onOpen?.();
    const parser = new SseParser((data) => onLog(JSON.parse(data) as Log));
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        parser.push(value);
      }
    } catch (e) {
      if ((e as Error).name === 'AbortError' || signal.aborted) return;
      throw new ApiRequestError(0, `live tail interrupted: ${(e as Error).message}`);
    } finally {
      reader.releaseLock();
    }
  }
}

/**
 * A minimal Server-Sent Events parser (the WHATWG rules that matter here): lines end in \n, \r\n or \r;
 * `data:` lines accumulate, a blank line dispatches; comments (`:`, heartbeats) and other fields are ignored.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];

  constructor(private readonly onData: (data: string) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (!m || (m[0] === '\r' && m.index === this.buffer.length - 1)) return;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onData(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
  }
}
