import { DataSource, EntityManager } from 'typeorm';

/**
 * Anything that runs parameterised SQL: the DatabaseService, the DataSource, or a transaction's
 * EntityManager. A repository method that may run inside its caller's transaction takes one of these.
 * `query` answers a SELECT (or a statement with RETURNING) with its rows; for how many rows an UPDATE or
 * DELETE touched, use `execute()` — TypeORM's `query()` answers those with `[rows, rowCount]`, which a
 * `T[]` return type would hide.
 */
export interface Queryable {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** What a data-changing statement did: the rows it returned (RETURNING) and how many rows it touched. */
export interface ExecuteResult<T> {
  rows: T[];
  affected: number;
}

/**
 * Runs one statement and reports the rows it touched, the same way on PostgreSQL and the embedded
 * database: inside `on`'s transaction when `on` is a transaction's EntityManager, else on a query runner
 * of its own that is released afterwards.
 */
export async function execute<T = Record<string, unknown>>(
  on: DataSource | EntityManager,
  sql: string,
  params?: unknown[],
): Promise<ExecuteResult<T>> {
  const own = on instanceof EntityManager ? on.queryRunner : undefined;
  const runner = own ?? (on instanceof DataSource ? on : on.connection).createQueryRunner();
  try {
    const result = await runner.query(sql, params, true);
    const rows = Array.isArray(result.records) ? (result.records as T[]) : [];
    return { rows, affected: typeof result.affected === 'number' ? result.affected : rows.length };
  } finally {
    if (!own) await runner.release();
  }
}
