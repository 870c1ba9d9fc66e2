import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DatabaseService } from '../../database/database.service';
import { templateSql } from './templater';

/** Templates kept per window and service: the most frequent ones (the bound on what a window stores). */
export const TEMPLATES_PER_WINDOW = 20;

export interface TemplateRow {
  service: string;
  windowStart: Date;
  level: 'error' | 'fatal';
  hash: string;
  template: string;
  count: number;
  firstSeen: Date;
  exampleLogId: string;
}

const COLUMNS = `service, window_start AS "windowStart", level, template_hash AS hash, template, count,
  first_seen AS "firstSeen", example_log_id::text AS "exampleLogId"`;

/**
 * SQL of message_templates. The aggregation is its own statement, run in the window's aggregation
 * transaction after the metrics upsert: it reads only the window's error and fatal logs, masks them in
 * SQL (templateSql) and stores the top TEMPLATES_PER_WINDOW per service, replacing what a previous
 * aggregation of the window stored (late logs).
 */
@Injectable()
export class MessageTemplatesRepository {
  // Driven by the window's metrics rows with errors (just upserted in the same transaction): per service,
  // the logs are read through the partial index of error/fatal logs (service, timestamp), so the cost is
  // that of the window's errors, not a second scan of all its logs.
  private readonly aggregateSql = `
    WITH masked AS (
      SELECT m.service, l.level, l.id, l."timestamp", ${templateSql('l.message')} AS template
        FROM metrics m
        CROSS JOIN LATERAL (
          SELECT level, id, "timestamp", message FROM logs
           WHERE logs.service = m.service
             AND "timestamp" >= $1::timestamptz AND "timestamp" < $1::timestamptz + make_interval(secs => $2)
             AND level IN ('error', 'fatal')
        ) l
       WHERE m.window_seconds = $2 AND m.window_start = $1::timestamptz AND m.error_count > 0
    ), grouped AS (
      SELECT service, level, template, count(*)::int AS n, min("timestamp") AS first_seen, min(id) AS example_id
        FROM masked GROUP BY service, level, template
    ), ranked AS (
      SELECT grouped.*, row_number() OVER (PARTITION BY service ORDER BY n DESC, template) AS rank FROM grouped
    )
    INSERT INTO message_templates (service, window_start, window_seconds, level, template_hash, template, count, first_seen, example_log_id)
    SELECT service, $1::timestamptz, $2, level, md5(template), template, n, first_seen, example_id FROM ranked WHERE rank <= $3`;

  constructor(private readonly db: DatabaseService) {}

  async aggregate(m: EntityManager, windowStart: Date, windowSeconds: number): Promise<void> {
    await m.query(`DELETE FROM message_templates WHERE window_seconds = $1 AND window_start = $2`, [windowSeconds, windowStart.toISOString()]);
    await m.query(this.aggregateSql, [windowStart.toISOString(), windowSeconds, TEMPLATES_PER_WINDOW]);
  }

  /** The templates of [from, to) for one service (optionally one level), oldest window first. */
  range(service: string, windowSeconds: number, from: Date, to: Date, level: 'error' | 'fatal' | null): Promise<TemplateRow[]> {
    return this.db.query<TemplateRow>(
      `SELECT ${COLUMNS} FROM message_templates
        WHERE service = $1 AND window_seconds = $2 AND window_start >= $3 AND window_start < $4 AND ($5::text IS NULL OR level = $5)
        ORDER BY window_start, count DESC LIMIT 20000`,
      [service, windowSeconds, from.toISOString(), to.toISOString(), level],
    );
  }

  /** Which of these template keys the service had in windows of [from, to). */
  async seen(service: string, windowSeconds: number, hashes: string[], from: Date, to: Date): Promise<Set<string>> {
    if (!hashes.length) return new Set();
    const rows: { hash: string }[] = await this.db.query(
      `SELECT DISTINCT template_hash AS hash FROM message_templates
        WHERE service = $1 AND window_seconds = $2 AND template_hash = ANY ($3::text[]) AND window_start >= $4 AND window_start < $5`,
      [service, windowSeconds, hashes, from.toISOString(), to.toISOString()],
    );
    return new Set(rows.map((r) => r.hash));
  }

  /** Drops templates of windows before the cutoff (metric retention). */
  async deleteBefore(windowSeconds: number, cutoff: Date): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `WITH d AS (DELETE FROM message_templates WHERE window_seconds = $1 AND window_start < $2 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [windowSeconds, cutoff.toISOString()],
    );
    return rows[0]?.n ?? 0;
  }
}
