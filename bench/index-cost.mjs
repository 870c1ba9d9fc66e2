// The `indexes` phase of npm run bench: what each search index of issue 18 costs the write path, and what
// the alternative the issue suggests (build the trigram index once a day partition is closed) would cost.
//
// The same rows (the ingest phases' ~250-byte logs, all in the open day) are written by psql's \copy into
// the logs table four ways, interleaved round by round so that a drifting machine load hits every variant
// alike: without the two GIN indexes, with only the jsonb_path_ops one, with only the trigram one, with both
// (what migration 1795737600500 ships). Then the trigram index is built after the fact on the partition
// holding those rows (CREATE INDEX on a closed day), which is the deferred variant's price.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyFromFile, copyLines, writeLines } from './data.mjs';
import { median, sql } from './lib.mjs';

const COLUMNS = '"timestamp", level, service, message, metadata';
const INDEXES = ['logs_message_trgm_idx', 'logs_metadata_gin_idx'];
const VARIANTS = { 'no GIN index': [], 'jsonb_path_ops only': ['logs_metadata_gin_idx'], 'trigram only': ['logs_message_trgm_idx'], 'both (shipped)': INDEXES };

export async function indexCost(db, { rows, rounds, report, fmt }) {
  const defs = Object.fromEntries(
    // pg_indexes shows a partitioned table's index as `ON ONLY logs`; created without ONLY it spans every partition.
    (await sql(db.url, `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'logs' AND indexname = ANY($1)`, [INDEXES])).map((r) => [
      r.indexname,
      r.indexdef.replace(' ON ONLY ', ' ON '),
    ]),
  );
  if (Object.keys(defs).length !== INDEXES.length) throw new Error(`indexes: expected ${INDEXES.join(', ')} on logs`);
  const dir = mkdtempSync(join(tmpdir(), 'tracer-bench-idx-'));
  const file = join(dir, 'rows.tsv');
  // Spread over the last 10 minutes: one day partition, as live ingest writes.
  await writeLines(file, copyLines({ count: rows, startMs: Date.now() - 600_000, spanMs: 590_000, seed: 5 }));
  const rates = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]));
  const out = { rows, rounds, rowsPerSecond: {} };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [variant, keep] of Object.entries(VARIANTS)) {
        await sql(db.url, 'TRUNCATE logs');
        for (const name of INDEXES) {
          await sql(db.url, `DROP INDEX IF EXISTS ${name}`);
          if (keep.includes(name)) await sql(db.url, defs[name]);
        }
        await sql(db.url, 'CHECKPOINT');
        const seconds = await copyFromFile(db.url, COLUMNS, file);
        rates[variant].push(rows / seconds);
        process.stderr.write(`indexes: round ${round + 1}, ${variant}: ${fmt(Math.round(rows / seconds))} rows/s\n`);
      }
    }
    // The deferred variant: rows written without the trigram index, the index built on their partition afterwards.
    await sql(db.url, 'TRUNCATE logs');
    for (const name of INDEXES) await sql(db.url, `DROP INDEX IF EXISTS ${name}`);
    await copyFromFile(db.url, COLUMNS, file);
    const [{ partition }] = await sql(
      db.url,
      `SELECT c.relname AS partition FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'logs'::regclass AND pg_relation_size(c.oid) > 0 ORDER BY pg_relation_size(c.oid) DESC LIMIT 1`,
    );
    const started = process.hrtime.bigint();
    await sql(db.url, `CREATE INDEX bench_deferred_trgm ON ${partition} USING gin (message gin_trgm_ops)`);
    const buildSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    await sql(db.url, 'DROP INDEX bench_deferred_trgm');
    out.deferredTrigramBuildSecondsPerMillion = Math.round((buildSeconds / rows) * 1e6 * 10) / 10;
  } finally {
    await sql(db.url, 'TRUNCATE logs');
    for (const name of INDEXES) {
      await sql(db.url, `DROP INDEX IF EXISTS ${name}`);
      await sql(db.url, defs[name]);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const base = median(rates['no GIN index']);
  for (const variant of Object.keys(VARIANTS)) {
    const r = Math.round(median(rates[variant]));
    out.rowsPerSecond[variant] = r;
    report('indexes', `COPY ${fmt(rows)} rows, ${variant}: rows/s (median of ${rounds})`, `${fmt(r)} (${((r / base) * 100).toFixed(1)} %)`);
  }
  report('indexes', 'trigram index built on the closed day afterwards: s per 1M rows', String(out.deferredTrigramBuildSecondsPerMillion));
  return out;
}
