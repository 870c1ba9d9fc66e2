import { Inject, Injectable } from '@nestjs/common';
import type { ServiceScope } from '../common/auth/service-scope';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { LogDto, LogPageDto } from './dto/log.dto';
import { encodeCursor } from './log-cursor';
import { parseLogQuery, type LogFilter } from './log-query';
import { LogSearchRepository, type LogRow } from './log-search.repository';
import { planSlices, walkSlices, type WalkResult } from './search-slices';
import { toIsoMicros } from './timestamps';

export function toLogDto(r: LogRow): LogDto {
  return {
    id: String(r.id),
    timestamp: r.ts,
    receivedAt: r.received,
    level: r.level,
    service: r.service,
    message: r.message,
    metadata: r.metadata,
    traceId: r.trace_id,
    spanId: r.span_id,
  };
}

const DAY_MS = 86_400_000;

@Injectable()
export class LogSearchService {
  constructor(
    private readonly repo: LogSearchRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One page of GET /logs within the search budget. Without `from` the search reaches back
   * LOG_RETENTION_DAYS (older logs are being dropped anyway). When the budget runs out, or the client
   * goes away (`signal`), the page is what the completed slices hold: `partial: true`, `searchedFrom`
   * saying how far back it is complete, and a nextCursor that continues from there.
   */
  async list(query: Record<string, string | string[] | undefined>, scope: ServiceScope, signal?: AbortSignal): Promise<LogPageDto> {
    const filter = parseLogQuery(query, scope);
    const now = Date.now();
    filter.from ??= toIsoMicros({ ms: now - this.config.retention.logDays * DAY_MS, micros: 0 });
    // Only text and metadata matching can cost a scan of the range; the other filters are index lookups
    // (service, level=error, traceId, plain paging), for which one statement beats several slices.
    const sliced = filter.q !== undefined || filter.metadata.length > 0;
    const walk = await walkSlices(
      sliced ? planSlices(this.anchor(filter, now), Date.parse(filter.from), filter.cursor?.sliceMs) : [{}],
      (slice, want, timeoutMs) => this.repo.search(filter, slice, want, timeoutMs, signal),
      { want: filter.limit + 1, budgetMs: this.config.search.budgetMs, signal },
    );
    const page = walk.rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    let nextCursor: string | null = null;
    if (walk.rows.length > filter.limit && last) nextCursor = encodeCursor({ ts: last.ts, id: String(last.id) });
    // Ids start at 1, so (searchedFrom, 1) continues with everything older than searchedFrom.
    else if (this.searchedFrom(walk)) nextCursor = encodeCursor({ ts: this.searchedFrom(walk)!, id: '1', sliceMs: walk.nextWidthMs });
    return { data: page.map(toLogDto), nextCursor, partial: !walk.complete, searchedFrom: this.searchedFrom(walk) };
  }

  private searchedFrom(walk: WalkResult<unknown>): string | null {
    return walk.complete || !walk.searchedFrom ? null : toIsoMicros({ ms: Date.parse(walk.searchedFrom), micros: 0 });
  }

  /** The newest instant the filter allows (its `to` or cursor), else now. */
  private anchor(f: LogFilter, now: number): number {
    const bounds = [f.to, f.cursor?.ts].filter((b): b is string => !!b).map((b) => Date.parse(b));
    return bounds.length ? Math.min(...bounds) : now;
  }
}
