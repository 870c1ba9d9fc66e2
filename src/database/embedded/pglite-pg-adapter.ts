import { EventEmitter } from 'node:events';

/** The subset of a PGlite instance the adapter uses; satisfied by the official build and the TimescaleDB build. */
export interface PGliteLike {
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    options?: { parsers?: Record<number, (v: string) => unknown> },
  ): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(
    sql: string,
    options?: { parsers?: Record<number, (v: string) => unknown> },
  ): Promise<Array<{ rows: Record<string, unknown>[]; affectedRows?: number }>>;
  isInTransaction(): boolean;
  close(): Promise<void>;
}

interface PgResult {
  rows: Record<string, unknown>[];
  rowCount: number;
  command: string;
}

type QueryCallback = (err: Error | null, result?: PgResult) => void;
type Release = (err?: unknown) => void;
type ConnectCallback = (err: Error | null, client?: PGliteClient, release?: Release) => void;

/**
 * Results come back shaped as `pg` shapes them: int8 and numeric as strings (large ids would otherwise
 * arrive as BigInt, which JSON.stringify refuses).
 */
const PARSERS: Record<number, (v: string) => unknown> = { 20: (v) => v, 1700: (v) => v };

function commandOf(sql: string): string {
  const m = /^\s*(?:--[^\n]*\n\s*)*([A-Za-z]+)/.exec(sql);
  return m ? m[1].toUpperCase() : '';
}

/** A checked-out handle on the single PGlite session; dead once released. */
export class PGliteClient extends EventEmitter {
  private released = false;

  constructor(
    private readonly db: PGliteLike,
    private readonly onRelease: (client: PGliteClient) => void,
  ) {
    super();
  }

  query(text: string, cb: QueryCallback): void;
  query(text: string, params?: unknown[]): Promise<PgResult>;
  query(text: string, params: unknown[], cb: QueryCallback): void;
  query(
    text: string,
    paramsOrCb?: unknown[] | QueryCallback,
    maybeCb?: QueryCallback,
  ): Promise<PgResult> | void {
    const params = typeof paramsOrCb === 'function' ? undefined : paramsOrCb;
    const cb = typeof paramsOrCb === 'function' ? paramsOrCb : maybeCb;
    const promise = this.run(text, params);
    if (!cb) return promise;
    promise.then(
      (r) => cb(null, r),
      (e: Error) => cb(e),
    );
  }

  private async run(text: string, params?: unknown[]): Promise<PgResult> {
    if (this.released) throw new Error('PGlite client used after release');
    if (params && params.length > 0) {
      const r = await this.db.query(text, params, { parsers: PARSERS });
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: commandOf(text) };
    }
    // Without parameters use the simple protocol, so multi-statement migrations work.
    const results = await this.db.exec(text, { parsers: PARSERS });
    const last = results[results.length - 1] ?? { rows: [] };
    return { rows: last.rows, rowCount: last.affectedRows ?? last.rows.length, command: commandOf(text) };
  }

  /** Returns the session to the pool; a transaction left open by the holder is rolled back first. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    } finally {
      this.onRelease(this);
    }
  }
}

interface PoolOptions {
  connectionTimeoutMillis?: number;
}

/**
 * A `pg.Pool` look-alike over one PGlite session. PGlite has a single session, so the pool hands out its
 * one client only after the previous holder released it: every TypeORM query runner, transactions
 * included, is serialised and no transaction can interleave with another's BEGIN/COMMIT.
 */
export class PGlitePool extends EventEmitter {
  private busy = false;
  private ended = false;
  private readonly waiters: Array<{
    resolve: (c: PGliteClient) => void;
    reject: (e: Error) => void;
    timer?: NodeJS.Timeout;
  }> = [];

  constructor(
    private readonly db: PGliteLike,
    private readonly options: PoolOptions = {},
  ) {
    super();
  }

  get totalCount(): number {
    return 1;
  }
  get idleCount(): number {
    return this.busy ? 0 : 1;
  }
  get waitingCount(): number {
    return this.waiters.length;
  }

  connect(): Promise<PGliteClient>;
  connect(cb: ConnectCallback): void;
  connect(cb?: ConnectCallback): Promise<PGliteClient> | void {
    const promise = this.acquire();
    if (!cb) return promise;
    promise.then(
      (client) => cb(null, client, () => void client.release()),
      (err: Error) => cb(err),
    );
  }

  /** Runs one statement on the session (pg's `pool.query`). */
  async query(text: string, params?: unknown[]): Promise<PgResult> {
    const client = await this.acquire();
    try {
      return await client.query(text, params);
    } finally {
      await client.release();
    }
  }

  end(cb?: (err?: Error) => void): Promise<void> | void {
    this.ended = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('Pool was ended'));
    }
    if (cb) cb();
    else return Promise.resolve();
  }

  private acquire(): Promise<PGliteClient> {
    if (this.ended) return Promise.reject(new Error('Cannot use a pool after calling end on the pool'));
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve(this.newClient());
    }
    return new Promise((resolve, reject) => {
      const waiter: (typeof this.waiters)[number] = { resolve, reject };
      const timeout = this.options.connectionTimeoutMillis;
      if (timeout && timeout > 0) {
        waiter.timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new Error('timeout exceeded when trying to connect'));
        }, timeout);
      }
      this.waiters.push(waiter);
    });
  }

  private newClient(): PGliteClient {
    return new PGliteClient(this.db, () => this.handOver());
  }

  private handOver(): void {
    const next = this.waiters.shift();
    if (!next) {
      this.busy = false;
      return;
    }
    clearTimeout(next.timer);
    next.resolve(this.newClient());
  }
}

/**
 * Builds a `pg`-shaped module for TypeORM's postgres driver (`driver` option) backed by one PGlite
 * instance, which the caller owns. TypeORM creates one pool per DataSource.
 */
export function createPglitePgModule(db: PGliteLike): {
  Pool: new (opts?: PoolOptions) => PGlitePool;
  Client: typeof PGliteClient;
} {
  class BoundPool extends PGlitePool {
    constructor(opts?: PoolOptions) {
      super(db, opts);
    }
  }
  return { Pool: BoundPool, Client: PGliteClient };
}
