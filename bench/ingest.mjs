// npm run bench:ingest [-- --quick] [-- --seconds N]
// Starts Tracer as its own process on a fresh PostgreSQL database (BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres), posts realistic ~250-byte logs in batches of 1000 and
// of 100 over 16 keep-alive connections, then checks that the database holds exactly what was accepted.
// --app-env K=V,K=V passes settings to the app (e.g. RATE_LIMIT_LOGS_PER_SECOND=0 to measure a feature's cost).
import http from 'node:http';
import { ADMIN_KEY, arg, freshDatabase, peakRssMb, percentile, sql, startApp, table } from './lib.mjs';

const ROUTES = ['/api/orders', '/api/users/:id', '/api/cart', '/api/checkout', '/health'];

/** A realistic log: level mix with 1% errors, 5 services, message, metadata with latency, user and route. */
export function makeLog(i, servicePrefix) {
  const r = i % 100;
  const level = r === 0 ? 'error' : r < 5 ? 'warn' : r < 20 ? 'debug' : 'info';
  const route = ROUTES[i % ROUTES.length];
  return {
    timestamp: new Date().toISOString(),
    level,
    service: `${servicePrefix}-${i % 5}`,
    message: level === 'error' ? `GET ${route} failed: upstream timeout after 3000ms` : `GET ${route} completed with status 200`,
    metadata: { latency_ms: 5 + ((i * 37) % 400), user_id: `user-${(i * 7919) % 10000}`, route },
  };
}

/**
 * The measured phases: POST /logs JSON in 1000- and 100-log batches, then the same 1000-log batches as
 * NDJSON on POST /logs and as a Loki JSON push (what pino-loki sends), to set the formats next to it.
 */
export const PHASES = [
  { batch: 1000, format: 'logs' },
  { batch: 100, format: 'logs' },
  { batch: 1000, format: 'ndjson' },
  { batch: 1000, format: 'loki' },
];

/** One request body of `logs` in `format`, with the route and Content-Type it is posted with. */
export function encodeBatch(logs, format) {
  if (format === 'ndjson') return { path: '/logs', type: 'application/x-ndjson', body: Buffer.from(logs.map((l) => JSON.stringify(l)).join('\n')) };
  if (format === 'loki') {
    // One stream per (service, level), the line a JSON record whose msg is the message and whose other
    // keys are the metadata, as pino-loki writes it.
    const streams = new Map();
    for (const l of logs) {
      const key = `${l.service}|${l.level}`;
      if (!streams.has(key)) streams.set(key, { stream: { service_name: l.service, level: l.level }, values: [] });
      streams.get(key).values.push([`${Date.parse(l.timestamp)}000000`, JSON.stringify({ msg: l.message, ...l.metadata })]);
    }
    return { path: '/loki/api/v1/push', type: 'application/json', body: Buffer.from(JSON.stringify({ streams: [...streams.values()] })) };
  }
  return { path: '/logs', type: 'application/json', body: Buffer.from(JSON.stringify({ logs })) };
}

export async function phase({ url, batch, seconds, connections, servicePrefix, format = 'logs' }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  // A pool of pre-serialised bodies keeps the load generator cheap; timestamps stay within the window.
  const encoded = Array.from({ length: 32 }, (_, b) => encodeBatch(Array.from({ length: batch }, (_, i) => makeLog(b * batch + i, servicePrefix)), format));
  const bodies = encoded.map((e) => e.body);
  const { path, type } = encoded[0];
  const target = new URL(path, url);
  let accepted = 0;
  let failed = 0;
  const latencies = [];
  const deadline = Date.now() + seconds * 1000;
  const post = (body) =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        target,
        { method: 'POST', agent, headers: { 'content-type': type, 'content-length': body.length, authorization: `Bearer ${ADMIN_KEY}` } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            if (res.statusCode === 202) accepted += JSON.parse(Buffer.concat(chunks).toString()).accepted;
            else if (res.statusCode === 204) accepted += batch; // Loki: every entry stored
            else failed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      for (let n = w; Date.now() < deadline; n += connections) await post(bodies[n % bodies.length]);
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    format,
    batch,
    seconds: Number(elapsed.toFixed(1)),
    accepted,
    failedRequests: failed,
    logsPerSecond: Math.round(accepted / elapsed),
    p50ms: Number(percentile(latencies, 50).toFixed(1)),
    p99ms: Number(percentile(latencies, 99).toFixed(1)),
  };
}

export async function runIngestBench({ seconds, connections = 16, port = 3917, keep = false, appEnv = {} } = {}) {
  const db = await freshDatabase();
  const app = await startApp(db.url, port, appEnv);
  const results = [];
  try {
    for (const { batch, format } of PHASES) {
      const servicePrefix = `bench${format}${batch}`;
      // Each phase starts from an empty table and a fresh checkpoint (as `npm run bench` does).
      await sql(db.url, 'TRUNCATE logs');
      await sql(db.url, 'CHECKPOINT');
      const r = await phase({ url: app.url, batch, seconds, connections, servicePrefix, format });
      const [{ n }] = await sql(db.url, `SELECT count(*)::int AS n FROM logs WHERE service LIKE $1`, [`${servicePrefix}-%`]);
      results.push({ ...r, stored: n, exact: n === r.accepted });
    }
    const rss = peakRssMb(app.child.pid);
    return { results, serverPeakRssMb: rss };
  } finally {
    await app.stop();
    if (!keep) await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(arg('seconds', arg('quick', false) ? 5 : 20));
  const appEnv = Object.fromEntries(
    String(arg('app-env', ''))
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=')),
  );
  const summary = await runIngestBench({ seconds, appEnv });
  console.log(table(summary.results));
  console.log(`server peak RSS: ${summary.serverPeakRssMb} MB`);
  console.log(JSON.stringify({ bench: 'ingest', appEnv, ...summary }));
  if (summary.results.some((r) => !r.exact)) {
    console.error('MISMATCH: the database does not hold exactly the accepted logs');
    process.exit(1);
  }
}
