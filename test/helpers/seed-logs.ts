import type { DatabaseService } from '../../src/database/database.service';

export interface SeedLog {
  timestamp: Date;
  level: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  service: string;
  message?: string;
  metadata?: Record<string, unknown> | null;
}

/**
 * Inserts logs straight into `logs` (and upserts the services registry), with chosen timestamps: scenario
 * tests build hours of traffic in a second this way. Uses unnest, which works on PGlite too.
 */
export async function seedLogs(db: DatabaseService, logs: SeedLog[], chunk = 5000): Promise<void> {
  for (let i = 0; i < logs.length; i += chunk) {
    const part = logs.slice(i, i + chunk);
    await db.query(
      `INSERT INTO logs ("timestamp", level, service, message, metadata)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
      [
        part.map((l) => l.timestamp.toISOString()),
        part.map((l) => l.level),
        part.map((l) => l.service),
        part.map((l) => l.message ?? `${l.level} from ${l.service}`),
        part.map((l) => (l.metadata ? JSON.stringify(l.metadata) : null)),
      ],
    );
  }
  const seen = new Map<string, { first: number; last: number }>();
  for (const l of logs) {
    const t = l.timestamp.getTime();
    const s = seen.get(l.service);
    if (!s) seen.set(l.service, { first: t, last: t });
    else {
      s.first = Math.min(s.first, t);
      s.last = Math.max(s.last, t);
    }
  }
  if (!seen.size) return;
  await db.query(
    `INSERT INTO services (name, first_seen_at, last_seen_at)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
     ON CONFLICT (name) DO UPDATE SET last_seen_at = GREATEST(services.last_seen_at, EXCLUDED.last_seen_at)`,
    [[...seen.keys()], [...seen.values()].map((s) => new Date(s.first).toISOString()), [...seen.values()].map((s) => new Date(s.last).toISOString())],
  );
}

/** A small seeded PRNG (mulberry32), so generated traffic is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WindowTraffic {
  service: string;
  /** logs in the window */
  count: number;
  /** errors: a probability per log (sampled), or an exact count */
  errorRate?: number;
  errors?: number;
  /** latency_ms of each log: a base in ms with a relative jitter (0.2 = +-20%) */
  latencyMs?: number;
  latencyJitter?: number;
}

/** One service's logs for one window, spread evenly over it, from the seeded generator. */
export function windowLogs(rand: () => number, windowStart: Date, windowSeconds: number, t: WindowTraffic): SeedLog[] {
  const out: SeedLog[] = [];
  const errorIdx = new Set<number>();
  if (t.errors !== undefined) {
    while (errorIdx.size < Math.min(t.errors, t.count)) errorIdx.add(Math.floor(rand() * t.count));
  } else {
    for (let i = 0; i < t.count; i++) if (rand() < (t.errorRate ?? 0)) errorIdx.add(i);
  }
  const span = windowSeconds * 1000;
  for (let i = 0; i < t.count; i++) {
    const latency = t.latencyMs === undefined ? undefined : t.latencyMs * (1 + (rand() * 2 - 1) * (t.latencyJitter ?? 0.2));
    out.push({
      timestamp: new Date(windowStart.getTime() + Math.floor(((i + rand() * 0.9) / t.count) * span)),
      level: errorIdx.has(i) ? 'error' : rand() < 0.05 ? 'warn' : 'info',
      service: t.service,
      metadata: latency === undefined ? { route: '/x' } : { latency_ms: Math.round(latency * 10) / 10 },
    });
  }
  return out;
}
