/**
 * The dashboard's API layer: every JSON route goes through the SDK's client generated from openapi.json
 * (sdk/src/api.ts: openapi-typescript + openapi-fetch), so a changed response shape fails `npm run build:web`.
 * Only the live tail is read by hand: it is a stream of Server-Sent Events, not JSON.
 */
import { createTracerApi, type TracerApi } from '../../sdk/src/api';
import type { components } from '../../sdk/src/generated/openapi';
import { SseParser } from './sse';

type Schemas = components['schemas'];
export type Log = Schemas['LogDto'];
export type LogPage = Schemas['LogPageDto'];
export type ServiceStatus = Schemas['ServiceStatusDto'];
export type MetricWindow = Schemas['MetricWindowDto'];
export type Alert = Schemas['AlertDto'];
export type AlertDetail = Schemas['AlertDetailDto'];
export type AlertEvent = Schemas['AlertEventDto'];
export type Severity = Alert['severity'];
export type AlertStatus = Alert['status'];
export type LogHistogram = Schemas['LogHistogramDto'];
export type Channel = Schemas['AlertChannelDto'];
export type ChannelKind = Channel['kind'];
export type CreateChannel = Schemas['CreateAlertChannelDto'];
export type Delivery = Schemas['AlertDeliveryDto'];
export type ChannelTestResult = Schemas['ChannelTestResultDto'];
export type ApiKey = Schemas['ApiKeyDto'];
export type CreatedApiKey = Schemas['CreatedApiKeyDto'];
export type CreateApiKey = Schemas['CreateApiKeyDto'];
export type Silence = Schemas['SilenceDto'];
export type CreateSilence = Schemas['CreateSilenceDto'];
export type AnomalyRule = Schemas['AnomalyRuleDto'];
export type PutAnomalyRule = Schemas['PutAnomalyRuleDto'];
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export const LEVELS: Level[] = ['debug', 'info', 'warn', 'error', 'fatal'];

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

/** An ApiRequestError from Tracer's error envelope `{statusCode, error, message, details?}`. */
function errorFromBody(res: Response, body: unknown, what: string): ApiRequestError {
  let message = res.statusText || 'request failed';
  const b = body as { message?: unknown; details?: { field?: string; message?: string }[] } | undefined;
  if (b && typeof b.message === 'string') message = b.message;
  if (b && Array.isArray(b.details) && b.details.length) {
    message += `: ${b.details.map((d) => (d.field ? `${d.field} ${d.message}` : d.message)).join('; ')}`;
  }
  return new ApiRequestError(res.status, `${what} failed (${res.status}): ${message}`);
}

async function errorFrom(res: Response, what: string): Promise<ApiRequestError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    // not JSON: the status text will do
  }
  return errorFromBody(res, body, what);
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

  /** Unwraps an openapi-fetch result: the data, or an ApiRequestError with the API's own message. */
  private async call<T>(what: string, send: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    let result;
    try {
      result = await send();
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiRequestError(0, `${what} failed: ${(e as Error).message || 'network error'}`);
    }
    if (result.data === undefined || !result.response.ok) throw errorFromBody(result.response, result.error, what);
    return result.data;
  }

  /** GET /logs. `metadata.<key>` filters are dynamic keys, passed through as extra query parameters. */
  listLogs(f: LogFilters, cursor?: string, signal?: AbortSignal): Promise<LogPage> {
    const query = Object.fromEntries(logQuery(f, cursor)) as Record<string, string>;
    return this.call('GET /logs', () => this.sdk.GET('/logs', { params: { query }, signal }));
  }

  /** GET /logs/histogram: the filters of GET /logs (no limit or cursor) and the most bars that can be drawn. */
  logHistogram(f: LogFilters, buckets: number, signal?: AbortSignal): Promise<LogHistogram> {
    const query = Object.fromEntries(logQuery({ ...f, limit: undefined })) as Record<string, string>;
    query.buckets = String(buckets);
    return this.call('GET /logs/histogram', () => this.sdk.GET('/logs/histogram', { params: { query }, signal }));
  }

  listServices(signal?: AbortSignal): Promise<Schemas['ServiceListDto']> {
    return this.call('GET /services', () => this.sdk.GET('/services', { signal }));
  }

  /** `points`: downsampled by the server into about that many points per service. */
  listMetrics(service: string, from: Date, to: Date, points?: number, signal?: AbortSignal): Promise<Schemas['MetricsListDto']> {
    const query = { service, from: from.toISOString(), to: to.toISOString(), ...(points ? { points: String(points) } : {}) };
    return this.call('GET /metrics', () => this.sdk.GET('/metrics', { params: { query }, signal }));
  }

  listAlerts(query: { status?: AlertStatus; service?: string; limit?: number }, signal?: AbortSignal): Promise<Schemas['AlertListDto']> {
    return this.call('GET /alerts', () => this.sdk.GET('/alerts', { params: { query }, signal }));
  }

  getAlert(id: string, signal?: AbortSignal): Promise<AlertDetail> {
    return this.call('GET /alerts/:id', () => this.sdk.GET('/alerts/{id}', { params: { path: { id } }, signal }));
  }

  acknowledgeAlert(id: string): Promise<Alert> {
    return this.call('POST /alerts/:id/acknowledge', () => this.sdk.POST('/alerts/{id}/acknowledge', { params: { path: { id } } }));
  }

  resolveAlert(id: string): Promise<Alert> {
    return this.call('POST /alerts/:id/resolve', () => this.sdk.POST('/alerts/{id}/resolve', { params: { path: { id } } }));
  }

  // Admin: channels, deliveries, keys, silences, rules. A read key gets the API's 403, shown as it is worded.

  listChannels(signal?: AbortSignal): Promise<Schemas['AlertChannelListDto']> {
    return this.call('GET /alert-channels', () => this.sdk.GET('/alert-channels', { signal }));
  }

  createChannel(body: CreateChannel): Promise<Channel> {
    return this.call('POST /alert-channels', () => this.sdk.POST('/alert-channels', { body }));
  }

  setChannelEnabled(id: string, enabled: boolean): Promise<Channel> {
    return this.call('PATCH /alert-channels/:id', () => this.sdk.PATCH('/alert-channels/{id}', { params: { path: { id } }, body: { enabled } }));
  }

  deleteChannel(id: string): Promise<unknown> {
    return this.call('DELETE /alert-channels/:id', async () => {
      const r = await this.sdk.DELETE('/alert-channels/{id}', { params: { path: { id } } });
      return { ...r, data: r.response.ok ? {} : undefined };
    });
  }

  testChannel(id: string): Promise<ChannelTestResult> {
    return this.call('POST /alert-channels/:id/test', () => this.sdk.POST('/alert-channels/{id}/test', { params: { path: { id } } }));
  }

  listDeliveries(id: string, signal?: AbortSignal): Promise<Schemas['AlertDeliveryPageDto']> {
    return this.call('GET /alert-channels/:id/deliveries', () => this.sdk.GET('/alert-channels/{id}/deliveries', { params: { path: { id }, query: { limit: 50 } }, signal }));
  }

  listKeys(signal?: AbortSignal): Promise<ApiKey[]> {
    return this.call('GET /api-keys', () => this.sdk.GET('/api-keys', { signal }));
  }

  createKey(body: CreateApiKey): Promise<CreatedApiKey> {
    return this.call('POST /api-keys', () => this.sdk.POST('/api-keys', { body }));
  }

  revokeKey(id: string): Promise<ApiKey> {
    return this.call('DELETE /api-keys/:id', () => this.sdk.DELETE('/api-keys/{id}', { params: { path: { id } } }));
  }

  listSilences(signal?: AbortSignal): Promise<Schemas['SilenceListDto']> {
    return this.call('GET /silences', () => this.sdk.GET('/silences', { signal }));
  }

  createSilence(body: CreateSilence): Promise<Silence> {
    return this.call('POST /silences', () => this.sdk.POST('/silences', { body }));
  }

  expireSilence(id: string): Promise<unknown> {
    return this.call('DELETE /silences/:id', async () => {
      const r = await this.sdk.DELETE('/silences/{id}', { params: { path: { id } } });
      return { ...r, data: r.response.ok ? {} : undefined };
    });
  }

  listRules(signal?: AbortSignal): Promise<Schemas['AnomalyRuleListDto']> {
    return this.call('GET /anomaly-rules', () => this.sdk.GET('/anomaly-rules', { signal }));
  }

  deleteRule(service: string): Promise<unknown> {
    return this.call('DELETE /anomaly-rules/:service', async () => {
      const r = await this.sdk.DELETE('/anomaly-rules/{service}', { params: { path: { service } } });
      return { ...r, data: r.response.ok ? {} : undefined };
    });
  }

  putRule(service: string, body: PutAnomalyRule): Promise<AnomalyRule> {
    return this.call('PUT /anomaly-rules/:service', () => this.sdk.PUT('/anomaly-rules/{service}', { params: { path: { service } }, body }));
  }

  /**
   * GET /logs/stream read with fetch and a stream reader (EventSource cannot send Authorization). Calls
   * onLog for each `data:` line of a `log` event, and onDropped when the server says logs were skipped or
   * the stream is being dropped (`dropped` event); resolves when the server ends the stream or `signal` aborts.
   */
  async tail(f: LogFilters, onLog: (log: Log) => void, signal: AbortSignal, onOpen?: () => void, onDropped?: (reason: string) => void): Promise<void> {
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
    // One log JSON per `data:` line (JSON never holds a raw newline), whether an event carries one or several.
    const parser = new SseParser((data, event) => {
      if (event === 'log') data.split('\n').forEach((line) => line && onLog(JSON.parse(line) as Log));
      else if (event === 'dropped') {
        const d = JSON.parse(data) as { count?: number; reason: string };
        onDropped?.(d.count ? `live tail skipped ${d.count} logs (${d.reason}); they are stored: reload to see them` : `live tail: ${d.reason}`);
      }
    });
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
