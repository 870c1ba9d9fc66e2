// Drives the example service through three phases and shows what Tracer makes of them:
//   1. warm-up: clean traffic for `WARMUP_WINDOWS` windows, so Tracer learns the service's baseline;
//   2. error burst: /checkout fails 60% of the time until Tracer opens an error_spike alert;
//   3. recovery: clean traffic until the alert resolves itself (a few healthy windows).
// WINDOW_SECONDS must match Tracer's METRICS_WINDOW_SECONDS (start Tracer with 10 for a 3-minute demo).
'use strict';
const { createTracerApi } = require('@tracer/sdk');

const EXAMPLE_URL = process.env.EXAMPLE_URL || 'http://localhost:4000';
const SERVICE = process.env.SERVICE_NAME || 'express-example';
const WINDOW_SECONDS = Number(process.env.WINDOW_SECONDS || 60);
const WARMUP_WINDOWS = Number(process.env.WARMUP_WINDOWS || 7);
const RATE = Number(process.env.REQUESTS_PER_SECOND || 20);

const tracer = createTracerApi({ apiUrl: process.env.TRACER_URL || 'http://localhost:3000', apiKey: process.env.TRACER_API_KEY });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stamp = () => new Date().toISOString().slice(11, 19);

async function hit() {
  const r = Math.random();
  try {
    if (r < 0.5) await fetch(`${EXAMPLE_URL}/users/${Math.floor(Math.random() * 1000)}`);
    else if (r < 0.9) await fetch(`${EXAMPLE_URL}/checkout`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ userId: `u${Math.floor(r * 100)}` }) });
    else await fetch(`${EXAMPLE_URL}/`);
  } catch (err) {
    console.error(`${stamp()} request failed: ${err.cause?.code ?? err.message} (is the example server running?)`);
  }
}

/** Sends traffic until `done()` is true or `maxMs` has passed; returns whether done() held. */
async function traffic(maxMs, done = async () => false) {
  const end = Date.now() + maxMs;
  let lastCheck = 0;
  while (Date.now() < end) {
    void hit();
    await sleep(1000 / RATE);
    if (Date.now() - lastCheck > 2000) {
      lastCheck = Date.now();
      if (await done()) return true;
    }
  }
  return false;
}

async function chaos(failureRate) {
  await fetch(`${EXAMPLE_URL}/chaos`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ failureRate }) });
}

let lastStatus = 'none';
/** The service's newest error_spike alert, printed when its status changes. */
async function alert() {
  const { data, error, response } = await tracer.GET('/alerts', { params: { query: { service: SERVICE, type: 'error_spike' } } });
  if (error) {
    console.error(`${stamp()} GET /alerts answered ${response.status}: ${JSON.stringify(error)} (is TRACER_API_KEY a key with the read scope?)`);
    return undefined;
  }
  const newest = data.data[0];
  const status = newest ? newest.status : 'none';
  if (status !== lastStatus) {
    console.log(`${stamp()} alert: ${status}${newest ? ` (${newest.type}, severity ${newest.severity}: ${newest.message})` : ''}`);
    lastStatus = status;
  }
  return newest;
}

async function main() {
  const windowMs = WINDOW_SECONDS * 1000;
  console.log(`${stamp()} warm-up: ${WARMUP_WINDOWS} windows of ${WINDOW_SECONDS}s of clean traffic (${RATE} req/s)`);
  await chaos(0);
  await traffic(WARMUP_WINDOWS * windowMs);

  console.log(`${stamp()} error burst: 60% of checkouts fail until Tracer opens an alert`);
  await chaos(0.6);
  const opened = await traffic(6 * windowMs, async () => (await alert())?.status === 'open');
  await chaos(0);
  if (!opened) console.log(`${stamp()} no alert opened: is WINDOW_SECONDS (${WINDOW_SECONDS}) Tracer's METRICS_WINDOW_SECONDS?`);

  console.log(`${stamp()} recovery: clean traffic until the alert resolves itself`);
  const resolved = await traffic(10 * windowMs, async () => (await alert())?.status === 'resolved');
  console.log(`${stamp()} ${resolved ? 'done: the alert opened and resolved' : 'stopped before the alert resolved'}`);
  process.exit(resolved ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
