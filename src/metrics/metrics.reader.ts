import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { historyStart } from './metric-window';
import { MetricsRepository, type MetricRow } from './metrics.repository';
import { RouteLatencyRepository, type RouteLatencyRow } from './routes/route-latency.repository';
import { MessageTemplatesRepository, type TemplateRow } from './templates/message-templates.repository';

export type { MetricRow } from './metrics.repository';

/** Requests per statement of `histories`: bounds one statement's rows (limit x this). */
const HISTORY_BATCH = 1000;
export type { TemplateRow } from './templates/message-templates.repository';
export type { RouteLatencyRow } from './routes/route-latency.repository';

/**
 * At most this many of a service's logs in one window are read for its slowest routes (the newest first):
 * the bound on what one high_latency alert's evidence costs, whatever the service's volume.
 */
export const SLOW_ROUTES_MAX_LOGS = 50_000;

/**
 * What other modules may read of `metrics` (detection, GET /services): a service's window, its recent
 * history, its activity. Read-only, and never in another module's transaction.
 */
@Injectable()
export class MetricsReader {
  readonly windowSeconds: number;

  constructor(
    private readonly metrics: MetricsRepository,
    private readonly templates: MessageTemplatesRepository,
    private readonly routes: RouteLatencyRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.windowSeconds = config.metrics.windowSeconds;
  }

  /** One service's numbers of one window, or null when it sent nothing then. */
  window(service: string, windowStart: Date): Promise<MetricRow | null> {
    return this.metrics.find(service, windowStart, this.windowSeconds);
  }

  /** Every service's numbers of one window. */
  ofWindow(windowStart: Date): Promise<MetricRow[]> {
    return this.metrics.ofWindow(windowStart, this.windowSeconds);
  }

  /** Services with logs in the windows of (since, upTo]. */
  activeServices(since: Date, upTo: Date): Promise<string[]> {
    return this.metrics.activeServices(since, upTo, this.windowSeconds);
  }

  /**
   * A service's recent windows with logs before `before` (newest first, at most `limit`), skipping windows
   * in the excluded ranges (an alert's incident, so an incident never becomes the new normal). Detection
   * reads a whole pass's histories with `histories`; its medium test holds that to this one-service form.
   */
  history(service: string, before: Date, limit: number, exclude: { from: Date; to: Date | null }[]): Promise<MetricRow[]> {
    const since = historyStart(before, limit, exclude, this.windowSeconds);
    return this.metrics.history(service, before, since, this.windowSeconds, limit, exclude);
  }

  /** These services' numbers of one window, by service (absent: it sent nothing then). */
  async windowsOf(services: string[], windowStart: Date): Promise<Map<string, MetricRow>> {
    return new Map((await this.metrics.findMany(services, windowStart, this.windowSeconds)).map((r) => [r.service, r]));
  }

  /**
   * `history` for many (service, limit, exclude) requests before the same window, read in one statement
   * per HISTORY_BATCH requests; the answer is each request's rows, in request order.
   */
  async histories(before: Date, requests: readonly { service: string; limit: number; exclude: { from: Date; to: Date | null }[] }[]): Promise<MetricRow[][]> {
    const out: MetricRow[][] = [];
    for (let i = 0; i < requests.length; i += HISTORY_BATCH) {
      const batch = requests.slice(i, i + HISTORY_BATCH).map((r) => ({ ...r, since: historyStart(before, r.limit, r.exclude, this.windowSeconds) }));
      out.push(...(await this.metrics.histories(batch, before, this.windowSeconds)));
    }
    return out;
  }

  /**
   * The last window in which the service sent logs, at or before `upTo` and, when given, not before
   * `since` (a bound lets the planner skip old partitions).
   */
  lastActiveWindow(service: string, upTo: Date, since: Date | null = null): Promise<Date | null> {
    return this.metrics.lastActiveWindow(service, upTo, since, this.windowSeconds);
  }

  /** A service's error/fatal message templates of the windows in [from, to), oldest window first. */
  templatesBetween(service: string, from: Date, to: Date, level: 'error' | 'fatal' | null = null): Promise<TemplateRow[]> {
    return this.templates.range(service, this.windowSeconds, from, to, level);
  }

  /** Which of these template keys the service had in the windows of [from, to). */
  templatesSeen(service: string, hashes: string[], from: Date, to: Date): Promise<Set<string>> {
    return this.templates.seen(service, this.windowSeconds, hashes, from, to);
  }

  /**
   * The `limit` routes of a service's logs in one window with the highest p95 latency, slowest first:
   * `route`, else `http.route`, else `url.path` templated. Exact over the logs read; `partial` when the
   * window had SLOW_ROUTES_MAX_LOGS logs of the service or more, of which only the newest were read.
   */
  async slowRoutes(service: string, windowStart: Date, limit: number): Promise<{ routes: RouteLatencyRow[]; partial: boolean }> {
    const { routes, read } = await this.routes.slowest(service, windowStart, this.windowSeconds, limit, SLOW_ROUTES_MAX_LOGS);
    return { routes, partial: read >= SLOW_ROUTES_MAX_LOGS };
  }
}
