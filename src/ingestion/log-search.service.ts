import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import type { Principal } from '../common/auth/scopes.decorator';
import type { LogDto, LogPageDto } from './dto/log.dto';
import { encodeCursor } from './log-cursor';
import { parseLogQuery, type LogFilter } from './log-query';
import { LogSearchRepository, type LogRow } from './log-search.repository';

/** A key bound to a service reads only that service. */
export function scopeToPrincipal(filter: LogFilter, principal: Principal | null): LogFilter {
  const bound = principal?.service;
  if (!bound) return filter;
  if (!filter.services) return { ...filter, services: [bound] };
  if (filter.services.some((s) => s !== bound)) throw new ApiError(403, `This API key may only read service "${bound}"`);
  return filter;
}

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

  async list(query: Record<string, string | string[] | undefined>, principal: Principal | null): Promise<LogPageDto> {
    const filter = scopeToPrincipal(parseLogQuery(query), principal);
    const rows = await this.repo.search(filter);
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toLogDto),
      nextCursor: rows.length > filter.limit && last ? encodeCursor({ ts: last.ts, id: String(last.id) }) : null,
    };
  }
}
