import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DatabaseService } from '../database.service';
import { addDays, isExpired, partitionDay, partitionName, wantedPartitionDays } from './partition-days';

/** A time-series table whose storage the maintainer looks after. */
export interface ManagedTable {
  table: string;
  timeColumn: string;
  retentionDays: number;
}

export interface MaintenanceReport {
  table: string;
  kind: 'partitioned' | 'hypertable' | 'missing';
  created: string[];
  dropped: string[];
  purgedFromDefault: number;
}

/** One advisory lock key per table, so replicas do not create the same partition at once. */
const LOCK_BASE = 7_364_220_100;

/**
 * Keeps time-series tables within retention. Native partitions: creates daily partitions ahead, drops
 * whole partitions past retention (deleting rows one by one cannot keep up at 10k logs/s) and purges
 * expired rows that fell into DEFAULT. Hypertables: keeps the retention policy at the configured age,
 * or drops chunks itself on the Apache edition, which has no policies. PartitionsScheduler runs it.
 */
@Injectable()
export class PartitionMaintainer {
  private readonly logger = new Logger(PartitionMaintainer.name);
  private readonly tables = new Map<string, ManagedTable>();
  private readonly premakeDays: number;
  private running: Promise<MaintenanceReport[]> | undefined;

  constructor(
    private readonly db: DatabaseService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.premakeDays = config.retention.premakeDays;
    this.register({ table: 'logs', timeColumn: 'timestamp', retentionDays: config.retention.logDays });
  }

  /** Feature modules with their own time-series table (metrics) register it here. */
  register(table: ManagedTable): void {
    this.tables.set(table.table, table);
  }

  /** Runs one maintenance pass over every registered table as of `now`. */
  maintain(now = new Date()): Promise<MaintenanceReport[]> {
    // Concurrent callers share one pass rather than racing each other.
    this.running ??= (async () => {
      try {
        const reports: MaintenanceReport[] = [];
        for (const t of this.tables.values()) reports.push(await this.maintainTable(t, now));
        return reports;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async kindOf(table: string): Promise<MaintenanceReport['kind']> {
    const rows = await this.db.query<{ relkind: string }>(
      `SELECT relkind FROM pg_class WHERE oid = to_regclass($1)`,
      [table],
    );
    if (!rows.length) return 'missing';
    if (rows[0].relkind === 'p') return 'partitioned';
    return (await this.isHypertable(table)) ? 'hypertable' : 'missing';
  }

  private async isHypertable(table: string): Promise<boolean> {
    const ext = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'timescaledb'`,
    );
    if (!ext[0].n) return false;
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM timescaledb_information.hypertables WHERE hypertable_name = $1`,
      [table],
    );
    return rows[0].n > 0;
  }

  private async maintainTable(t: ManagedTable, now: Date): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { table: t.table, kind: await this.kindOf(t.table), created: [], dropped: [], purgedFromDefault: 0 };
    if (report.kind === 'partitioned') await this.maintainPartitions(t, now, report);
    else if (report.kind === 'hypertable') await this.maintainHypertable(t, now);
    if (report.created.length || report.dropped.length || report.purgedFromDefault) {
      this.logger.log(
        `${t.table}: created ${report.created.length} partition(s), dropped ${report.dropped.length}, ` +
          `purged ${report.purgedFromDefault} expired row(s) from DEFAULT`,
      );
    }
    return report;
  }

  private async existingPartitions(table: string): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = to_regclass($1)`,
      [table],
    );
    return rows.map((r) => r.name);
  }

  private async maintainPartitions(t: ManagedTable, now: Date, report: MaintenanceReport): Promise<void> {
    const existing = new Set(await this.existingPartitions(t.table));
    for (const day of wantedPartitionDays(now, t.retentionDays, this.premakeDays)) {
      const name = partitionName(t.table, day);
      if (existing.has(name) || isExpired(day, now, t.retentionDays)) continue;
      if (await this.createPartition(t, day, name)) report.created.push(name);
    }
    for (const name of existing) {
      const day = partitionDay(t.table, name);
      if (day && isExpired(day, now, t.retentionDays)) {
        await this.db.query(`DROP TABLE IF EXISTS ${name}`);
        report.dropped.push(name);
      }
    }
    const cutoff = addDays(now, -t.retentionDays);
    const purged = await this.db.query<{ n: number }>(
      `WITH d AS (DELETE FROM ${t.table}_default WHERE "${t.timeColumn}" < $1 RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [cutoff.toISOString()],
    );
    report.purgedFromDefault = purged[0]?.n ?? 0;
  }

  /**
   * Creates the partition for `day`. Rows of that day may already sit in DEFAULT (they arrived before
   * the partition existed), and ATTACH refuses while they do, so they move into the new table first,
   * all in one transaction.
   */
  private async createPartition(t: ManagedTable, day: Date, name: string): Promise<boolean> {
    const from = day.toISOString();
    const to = addDays(day, 1).toISOString();
    return this.db.transaction(async (m) => {
      const [lock] = await m.query(`SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok`, [
        LOCK_BASE % 2_000_000_000,
        t.table,
      ]);
      if (!lock.ok) return false; // another replica is on it
      const [exists] = await m.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [name]);
      if (exists.ok) return false;
      await m.query(`CREATE TABLE ${name} (LIKE ${t.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      await m.query(
        `WITH moved AS (DELETE FROM ${t.table}_default WHERE "${t.timeColumn}" >= $1 AND "${t.timeColumn}" < $2 RETURNING *)
         INSERT INTO ${name} SELECT * FROM moved`,
        [from, to],
      );
      await m.query(`ALTER TABLE ${t.table} ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`);
      return true;
    });
  }

  private async maintainHypertable(t: ManagedTable, now: Date): Promise<void> {
    const [{ license }] = await this.db.query<{ license: string }>(
      `SELECT current_setting('timescaledb.license', true) AS license`,
    );
    const interval = `${t.retentionDays} days`;
    if (license !== 'timescale') {
      // Apache edition: no policy jobs, so retention is ours.
      await this.db.query(`SELECT drop_chunks($1::regclass, older_than => $2::timestamptz)`, [
        t.table,
        addDays(now, -t.retentionDays).toISOString(),
      ]);
      return;
    }
    const jobs = await this.db.query<{ drop_after: string | null }>(
      `SELECT config->>'drop_after' AS drop_after FROM timescaledb_information.jobs
        WHERE proc_name = 'policy_retention' AND hypertable_name = $1`,
      [t.table],
    );
    const [{ same }] = await this.db.query<{ same: boolean }>(
      `SELECT $1::interval = $2::interval AS same`,
      [jobs[0]?.drop_after ?? '0', interval],
    );
    if (jobs.length && same) return;
    await this.db.query(`SELECT remove_retention_policy($1::regclass, if_exists => true)`, [t.table]);
    await this.db.query(`SELECT add_retention_policy($1::regclass, $2::interval)`, [t.table, interval]);
  }
}
