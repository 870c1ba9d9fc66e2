import { addWindows } from '../../metrics/metric-window';
import type { MetricsReader, TemplateRow } from '../../metrics/metrics.reader';
import type { TopErrorDto } from '../alerts/evidence';

/**
 * The message templates of a service's errors in one window, most frequent first (at most `limit`), each
 * with its share of the window's errors and whether it is new: not stored for the service in [since,
 * windowStart). Error and fatal logs are stored apart; one template of both levels counts once.
 */
export async function windowTemplates(
  metrics: MetricsReader,
  service: string,
  windowStart: Date,
  errorCount: number,
  since: Date,
  limit: number,
): Promise<TopErrorDto[]> {
  const byHash = new Map<string, TemplateRow>();
  for (const r of await metrics.templatesBetween(service, windowStart, addWindows(windowStart, 1, metrics.windowSeconds))) {
    const had = byHash.get(r.hash);
    if (!had) byHash.set(r.hash, { ...r });
    else {
      had.count += r.count;
      if (r.firstSeen < had.firstSeen) Object.assign(had, { firstSeen: r.firstSeen, exampleLogId: r.exampleLogId });
    }
  }
  const top = [...byHash.values()].sort((a, b) => b.count - a.count || a.template.localeCompare(b.template)).slice(0, limit);
  const seen = await metrics.templatesSeen(service, top.map((t) => t.hash), since, windowStart);
  return top.map((t) => ({
    template: t.template,
    count: t.count,
    share: errorCount > 0 ? Math.round((t.count / errorCount) * 1000) / 1000 : 0,
    new: !seen.has(t.hash),
    firstSeen: new Date(t.firstSeen).toISOString(),
    exampleLogId: t.exampleLogId,
  }));
}
