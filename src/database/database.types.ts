/** How logs and metrics are stored: TimescaleDB hypertables, native partitions, or the embedded PGlite. */
export type StorageMode = 'timescaledb' | 'postgres' | 'embedded';

/** Hands the app an already-open PGlite instance (tests use the TimescaleDB build this way). */
export type PgliteFactory = (dataDir: string) => Promise<import('./embedded/pglite-pg-adapter').PGliteLike>;
