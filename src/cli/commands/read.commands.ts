import { CliError, errorOf } from '../api-client';
import { LOG_FILTER_OPTIONS, LOG_FILTER_USAGE, logFilterQuery, type Command, type Context } from '../context';
import { formatLog, paint, table, type LogLine } from '../output';
import { parseSse } from '../sse';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `tracer search`: GET /logs with its filters, newest first, following the cursor up to --limit logs. */
export const search: Command = {
  name: 'search',
  summary: 'search stored logs (newest first), with the filters of GET /logs',
  usage: `tracer search [filters] [--limit N] [--cursor C] [--json]\n${LOG_FILTER_USAGE}\n  -n, --limit N            how many logs (default 100; pages of up to 1000 are followed)`,
  options: { ...LOG_FILTER_OPTIONS, limit: { type: 'string', short: 'n' }, cursor: { type: 'string' } },
  run: async (ctx) => {
    const want = Number(ctx.values.limit ?? 100);
    if (!Number.isInteger(want) || want < 1) throw new CliError('--limit must be a positive integer', 2);
    const api = ctx.api();
    const filters = logFilterQuery(ctx.values);
    const logs: LogLine[] = [];
    let cursor = ctx.values.cursor as string | undefined;
    do {
      const page = await api.request<{ data: LogLine[]; nextCursor: string | null }>('GET', '/logs', {
        query: { ...filters, limit: Math.min(1000, want - logs.length), cursor },
      });
      logs.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && logs.length < want);
    if (ctx.json) ctx.io.out(JSON.stringify({ data: logs, nextCursor: cursor ?? null }) + '\n');
    else for (const log of logs) ctx.io.out(formatLog(ctx.io, log) + '\n');
    if (!ctx.json && cursor) ctx.io.err(`more: --cursor ${cursor}\n`);
    return 0;
  },
};

/**
 * `tracer tail`: the live stream (GET /logs/stream, Server-Sent Events) with the same filters, one line
 * per log (NDJSON with --json). Reconnects when the connection drops (a server restart), until Ctrl-C.
 */
export const tail: Command = {
  name: 'tail',
  summary: 'follow new logs live (Server-Sent Events), with the filters of GET /logs',
  usage: `tracer tail [filters] [--json]\n${LOG_FILTER_USAGE}`,
  options: { ...LOG_FILTER_OPTIONS },
  run: async (ctx) => {
    const api = ctx.api();
    const query = logFilterQuery(ctx.values);
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    let lastId: string | undefined;
    for (let attempt = 0; !stop.signal.aborted; attempt++) {
      try {
        await follow(ctx, api.url('/logs/stream', query), api.headers({ Accept: 'text/event-stream', ...(lastId ? { 'Last-Event-ID': lastId } : {}) }), stop.signal, (id) => {
          lastId = id;
          attempt = 0;
        });
        if (stop.signal.aborted) break;
        ctx.io.err(paint(ctx.io, 'yellow', 'stream ended; reconnecting\n'));
      } catch (e) {
        if (stop.signal.aborted) break;
        if (e instanceof CliError && !/^5\d\d /.test(e.message)) throw e; // 4xx: a bad filter or key; retrying will not help
        ctx.io.err(paint(ctx.io, 'yellow', `connection lost (${(e as Error).message}); reconnecting\n`));
      }
      await sleep(Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
    }
    return 0;
  },
};

async function follow(ctx: Context, url: string, headers: Record<string, string>, signal: AbortSignal, onId: (id: string) => void): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal });
  } catch (e) {
    if (signal.aborted) return;
    throw new Error((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
  }
  if (!res.ok) throw await errorOf(res);
  ctx.io.err(paint(ctx.io, 'gray', `tailing ${url.replace(/\?.*/, '')} (Ctrl-C to stop)\n`));
  try {
    for await (const event of parseSse(res.body!)) {
      if (event.id) onId(event.id);
      if (event.event !== 'log') continue;
      const log = JSON.parse(event.data) as LogLine;
      ctx.io.out(ctx.json ? JSON.stringify(log) + '\n' : formatLog(ctx.io, log) + '\n');
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  }
}

interface Service {
  name: string;
  status: string;
  lastSeenAt: string;
  openAlerts: number;
  logCount: number;
  errorRate: number;
  latencyP95: number | null;
}

interface Alert {
  id: string;
  service: string;
  type: string;
  severity: string;
  status: string;
  openedAt: string;
  occurrences: number;
  message: string;
}

const STATUS_COLORS = { healthy: 'green', degraded: 'yellow', down: 'red' } as const;

/** `tracer status`: every service with its state, and the unresolved alerts. */
export const status: Command = {
  name: 'status',
  summary: 'services and their state, and the unresolved alerts, as tables',
  usage: 'tracer status [--json]',
  run: async (ctx) => {
    const api = ctx.api();
    const [services, open, acknowledged] = await Promise.all([
      api.request<{ data: Service[] }>('GET', '/services'),
      api.request<{ data: Alert[] }>('GET', '/alerts', { query: { status: 'open', limit: 200 } }),
      api.request<{ data: Alert[] }>('GET', '/alerts', { query: { status: 'acknowledged', limit: 200 } }),
    ]);
    const alerts = [...open.data, ...acknowledged.data].sort((a, b) => b.openedAt.localeCompare(a.openedAt));
    const { io } = ctx;
    if (ctx.json) {
      io.out(JSON.stringify({ services: services.data, alerts }) + '\n');
      return 0;
    }
    io.out(paint(io, 'bold', `Services (${services.data.length})`) + '\n');
    io.out(
      table(
        ['service', 'status', 'last seen', 'logs/window', 'errors', 'p95 ms', 'alerts'],
        services.data.map((s) => [s.name, paint(io, STATUS_COLORS[s.status as keyof typeof STATUS_COLORS] ?? 'reset', s.status), s.lastSeenAt, s.logCount, `${(s.errorRate * 100).toFixed(1)} %`, s.latencyP95 === null ? null : Math.round(s.latencyP95), s.openAlerts]),
      ),
    );
    io.out('\n' + paint(io, 'bold', `Unresolved alerts (${alerts.length})`) + '\n');
    io.out(alerts.length ? table(['id', 'service', 'type', 'severity', 'status', 'opened', 'seen', 'message'], alerts.map((a) => [a.id, a.service, a.type, a.severity, a.status, a.openedAt, a.occurrences, a.message])) : 'none\n');
    return 0;
  },
};
