import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../../database/database.service';
import { buildLogWhere } from '../log-search.repository';
import type { LogFilter } from '../log-query';
import type { HistogramCell } from './log-histogram';

/**
 * The counting side of GET /logs/histogram: the WHERE clause of GET /logs (so the bars and the list can
 * never disagree), grouped by epoch-aligned bucket and level. `floor(extract(epoch ...))` rather than
 * date_bin: it reads the same on PostgreSQL 15 and PGlite, and the bucket is then a plain integer.
 */
@Injectable()
export class LogHistogramRepository {
  constructor(private readonly db: DatabaseService) {}

  async count(f: LogFilter, bucketSeconds: number): Promise<HistogramCell[]> {
    const params: unknown[] = [];
    const where = buildLogWhere(f, params);
    params.push(bucketSeconds);
    const rows = await this.db.query<{ bucket: string; level: string; count: string }>(
      `SELECT floor(extract(epoch FROM "timestamp") / $${params.length}::int)::bigint AS bucket, level, count(*) AS count
         FROM logs ${where}
        GROUP BY 1, 2`,
      params,
    );
    return rows.map((r) => ({ bucket: Number(r.bucket), level: r.level, count: Number(r.count) }));
  }
}
