import { Injectable } from '@nestjs/common';
import type { ServiceScope } from '../../common/auth/service-scope';
import { ApiError, type ErrorDetail } from '../../common/errors/api-error';
import { parseLogQuery } from '../log-query';
import { fromEpochMs, toIsoMicros } from '../timestamps';
import { bucketSeconds, DEFAULT_BUCKETS, DEFAULT_RANGE_MS, fillBuckets, MAX_BUCKETS } from './log-histogram';
import type { LogHistogramDto } from './log-histogram.dto';
import { LogHistogramRepository } from './log-histogram.repository';

const iso = (ms: number) => toIsoMicros(fromEpochMs(ms)!);

@Injectable()
export class LogHistogramService {
  constructor(private readonly repo: LogHistogramRepository) {}

  /**
   * The filters of GET /logs (parsed by the same parser, so the same bounds and the same refusals) plus
   * `buckets`, the most bars the caller can draw. A histogram always has a range: `to` defaults to now
   * and `from` to the hour before `to`.
   */
  async histogram(query: Record<string, string | string[] | undefined>, scope: ServiceScope): Promise<LogHistogramDto> {
    const { buckets: rawBuckets, ...logQuery } = query;
    const errors: ErrorDetail[] = [];
    let target = DEFAULT_BUCKETS;
    const b = Array.isArray(rawBuckets) ? rawBuckets[rawBuckets.length - 1] : rawBuckets;
    if (b !== undefined) {
      if (!/^\d{1,4}$/.test(b) || Number(b) < 1 || Number(b) > MAX_BUCKETS) errors.push({ field: 'buckets', message: `buckets must be an integer from 1 to ${MAX_BUCKETS}` });
      else target = Number(b);
    }
    let filter;
    try {
      filter = parseLogQuery(logQuery, scope, { allowPaging: false });
    } catch (e) {
      const details = ((e as ApiError).getResponse?.() as { details?: ErrorDetail[] } | undefined)?.details;
      if (!details) throw e;
      throw ApiError.badRequest('Validation failed', [...details, ...errors]);
    }
    const toMs = filter.to ? Date.parse(filter.to) : Date.now();
    const fromMs = filter.from ? Date.parse(filter.from) : Math.max(0, toMs - DEFAULT_RANGE_MS);
    // Compared as text when both are given: ISO with microseconds orders as time, and keeps what ms would cut.
    if (filter.from && filter.to ? filter.from >= filter.to : fromMs >= toMs) errors.push({ field: 'from', message: 'from must be before to' });
    if (errors.length) throw ApiError.badRequest('Validation failed', errors);
    filter.from ??= iso(fromMs);
    filter.to ??= iso(toMs);

    const size = bucketSeconds(toMs - fromMs, target);
    const buckets = fillBuckets(await this.repo.count(filter, size), fromMs, toMs, size);
    return { from: filter.from, to: filter.to, bucketSeconds: size, total: buckets.reduce((n, x) => n + x.total, 0), buckets };
  }
}
