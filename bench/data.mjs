// Synthetic log rows for COPY: the same shape as the HTTP bench's logs, reproducible (seeded PRNG).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export const PSQL = process.env.BENCH_PSQL ?? (process.platform === 'linux' ? '/usr/bin/psql' : 'psql');
export const SERVICES = ['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4'];
const ROUTES = ['/api/orders', '/api/users/:id', '/api/cart', '/api/checkout', '/health'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT'];

/** mulberry32: a small, fast, seeded PRNG in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The trace id of trace group `g` (every other group of 8 consecutive rows carries one). */
export function traceIdOf(g) {
  return `t${g.toString(16).padStart(15, '0')}`;
}

/**
 * COPY text lines for `count` logs spread evenly over [startMs, startMs + spanMs): 5 services, 1% errors,
 * 4% warn, 15% debug, varied messages (method, route, status, latency, user), metadata with latency_ms,
 * user_id and route; with `traces`, half the rows carry a trace id shared by 8 consecutive rows.
 * Columns: "timestamp", level, service, message, metadata[, trace_id, span_id].
 */
export function* copyLines({ count, startMs, spanMs, seed = 1, traces = false, first = 0, step = 1, chunk = 2000 }) {
  const rand = rng(seed);
  let buf = '';
  let n = 0;
  for (let i = first; i < count; i += step) {
    const r = rand();
    const level = r < 0.01 ? 'error' : r < 0.05 ? 'warn' : r < 0.2 ? 'debug' : 'info';
    const service = SERVICES[Math.floor(rand() * 5)];
    const k = Math.floor(rand() * 5);
    const route = ROUTES[k];
    const method = METHODS[k];
    const latency = 5 + Math.floor(rand() * rand() * 1200);
    const user = `user-${Math.floor(rand() * 10000)}`;
    const message =
      level === 'error'
        ? `${method} ${route} failed: upstream timeout after 3000ms user=${user}`
        : `${method} ${route} completed with status ${level === 'warn' ? 429 : 200} in ${latency}ms user=${user}`;
    const metadata = `{"latency_ms": ${latency}, "user_id": "${user}", "route": "${route}"}`;
    const ts = new Date(startMs + Math.floor((i * spanMs) / count)).toISOString();
    let line = `${ts}\t${level}\t${service}\t${message}\t${metadata}`;
    if (traces) {
      const g = Math.floor(i / 8);
      line += g % 2 === 0 ? `\t${traceIdOf(g)}\ts${(i % 8).toString(16)}${g.toString(16)}` : '\t\\N\t\\N';
    }
    buf += line + '\n';
    if (++n === chunk) {
      yield buf;
      buf = '';
      n = 0;
    }
  }
  if (buf) yield buf;
}

function psql(dbUrl, command, stdin) {
  const child = spawn(PSQL, [dbUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', command], {
    stdio: [stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited with ${code}: ${stderr.trim()}`))));
  });
  return { child, done };
}

/** `\copy logs (columns) from 'file'` through psql; resolves with the wall time in seconds. */
export async function copyFromFile(dbUrl, columns, file) {
  const started = process.hrtime.bigint();
  await psql(dbUrl, `\\copy logs (${columns}) from '${file}'`).done;
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Streams generated lines into `\copy logs (columns) from pstdin`. */
export async function copyFromLines(dbUrl, columns, lines) {
  const { child, done } = psql(dbUrl, `\\copy logs (${columns}) from pstdin`, true);
  for (const chunk of lines) {
    if (!child.stdin.write(chunk)) await Promise.race([once(child.stdin, 'drain'), done]);
  }
  child.stdin.end();
  await done;
}

export async function writeLines(file, lines) {
  const out = createWriteStream(file);
  for (const chunk of lines) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}
