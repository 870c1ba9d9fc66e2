import { Injectable } from '@nestjs/common';
import type { ServiceScope } from '../common/auth/service-scope';
import type { LogDto, LogPageDto } from './dto/log.dto';
import { encodeCursor } from './log-cursor';
import { parseLogQuery } from './log-query';
import { LogSearchRepository, type LogRow } from './log-search.repository';

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

@Injectable()
export class LogSearchService {
  constructor(private readonly repo: LogSearchRepository) {}

  async list(query: Record<string, string | string[] | undefined>, scope: ServiceScope): Promise<LogPageDto> {
    const filter = parseLogQuery(query, scope);
    const rows = await this.repo.search(filter);
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toLogDto),
      nextCursor: rows.length > filter.limit && last ? encodeCursor({ ts: last.ts, id: String(last.id) }) : null,
    };
  }
}
