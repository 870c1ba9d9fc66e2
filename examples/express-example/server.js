// A small Express service instrumented with @tracer/sdk: every request is logged with its route, status
// and latency (so Tracer's latency metrics and error-rate alerts work), plus a few business logs.
'use strict';
const express = require('express');
const { TracerClient, tracerMiddleware } = require('@tracer/sdk');

const tracer = new TracerClient({
  service: process.env.SERVICE_NAME || 'express-example',
  apiUrl: process.env.TRACER_URL || 'http://localhost:3000',
  apiKey: process.env.TRACER_API_KEY,
  batchSize: 200,
  flushIntervalMs: 1000,
  metadata: { env: process.env.NODE_ENV || 'development' },
  onError: (e) => {
    if (e.kind !== 'retrying') console.warn(`[tracer] ${e.kind}: ${e.message}`);
  },
});

/** Share of /checkout requests that fail; the traffic script raises it for its error burst. */
let failureRate = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const jitter = (min, max) => min + Math.random() * (max - min);

const app = express();
app.use(express.json());
app.use(tracerMiddleware(tracer, { skip: (req) => req.url === '/health' }));

app.get('/', (_req, res) => {
  res.json({ service: 'express-example', try: ['/users/42', 'POST /checkout'] });
});

app.get('/users/:id', async (req, res) => {
  await sleep(jitter(5, 40));
  res.json({ id: req.params.id, name: `user ${req.params.id}` });
});

app.post('/checkout', async (req, res, next) => {
  const log = tracer.child({ orderId: `o-${Date.now().toString(36)}`, userId: req.body?.userId ?? null });
  await sleep(jitter(30, 150));
  if (Math.random() < failureRate) {
    return next(new Error('payment provider timed out'));
  }
  log.info('order placed', { amount: Math.round(jitter(5, 200) * 100) / 100 });
  res.status(201).json({ ok: true });
});

/** Fault injection for the demo: POST /chaos {"failureRate": 0.6}. */
app.post('/chaos', (req, res) => {
  const rate = Number(req.body?.failureRate);
  failureRate = Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 0;
  tracer.warn('chaos changed', { failureRate });
  res.json({ failureRate });
});

app.get('/health', (_req, res) => res.send('ok'));

// Errors: logged with their stack, answered 500 (the middleware logs the 500 as well).
app.use((err, req, res, _next) => {
  tracer.error(err, { path: req.path });
  res.status(500).json({ error: 'internal error' });
});

const port = Number(process.env.PORT || 4000);
const server = app.listen(port, () => {
  console.log(`express-example on http://localhost:${port}, logging to ${process.env.TRACER_URL || 'http://localhost:3000'}`);
});

// Flush what is queued before exiting.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    tracer.shutdown().then(() => {
      const s = tracer.stats();
      console.log(`[tracer] sent ${s.sent}, dropped ${s.dropped}, rejected ${s.rejected}, failed ${s.failed}`);
      process.exit(0);
    });
  });
}
