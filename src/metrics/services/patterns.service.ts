import { Injectable } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';
import { MetricsReader, type TemplateRow } from '../metrics.reader';
import type { PatternDto, PatternListDto, PatternsQueryDto } from './dto/patterns.dto';

/** Parts of the range a template's trend is counted in. */
const TREND_BUCKETS = 12;
/** Templates listed, most frequent first. */
const MAX_PATTERNS = 50;
/** A template is new when it was not seen this long before the range. */
const NEW_LOOKBACK_MS = 3600_000;

/** GET /services/:name/patterns: a service's error message templates over a range, with their trend. */
@Injectable()
export class PatternsService {
  constructor(private readonly metrics: MetricsReader) {}

  async list(service: string, q: PatternsQueryDto): Promise<PatternListDto> {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 3600_000);
    if (from >= to) throw ApiError.badRequest('from must be before to', [{ field: 'from', message: 'must be before to' }]);
    const rows = await this.metrics.templatesBetween(service, from, to, q.level ?? null);
    const span = to.getTime() - from.getTime();
    const byHash = new Map<string, { row: TemplateRow; count: number; first: Date; last: Date; trend: number[] }>();
    let total = 0;
    for (const r of rows) {
      const at = new Date(r.windowStart);
      const bucket = Math.min(TREND_BUCKETS - 1, Math.floor(((at.getTime() - from.getTime()) / span) * TREND_BUCKETS));
      let p = byHash.get(r.hash);
      if (!p) byHash.set(r.hash, (p = { row: r, count: 0, first: new Date(r.firstSeen), last: at, trend: new Array(TREND_BUCKETS).fill(0) }));
      p.count += r.count;
      p.trend[bucket] += r.count;
      if (new Date(r.firstSeen) < p.first) p.first = new Date(r.firstSeen);
      if (at > p.last) p.last = at;
      total += r.count;
    }
    const top = [...byHash.values()].sort((a, b) => b.count - a.count || a.row.template.localeCompare(b.row.template)).slice(0, MAX_PATTERNS);
    const seen = await this.metrics.templatesSeen(service, top.map((p) => p.row.hash), new Date(from.getTime() - NEW_LOOKBACK_MS), from);
    const data: PatternDto[] = top.map((p) => ({
      template: p.row.template,
      count: p.count,
      share: total ? Math.round((p.count / total) * 1000) / 1000 : 0,
      firstSeen: p.first.toISOString(),
      // The last window it was seen in ends then; the window's start is what is stored.
      lastSeen: new Date(p.last.getTime() + this.metrics.windowSeconds * 1000).toISOString(),
      exampleLogId: p.row.exampleLogId,
      trend: p.trend,
      new: !seen.has(p.row.hash),
    }));
    return { service, from: from.toISOString(), to: to.toISOString(), data };
  }
}
