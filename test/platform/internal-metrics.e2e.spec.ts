import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { postLogs } from '../helpers/logs';

const SCRAPE = 'scrape-token-0123456789';

describe('GET /internal/metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { INTERNAL_METRICS_TOKEN: SCRAPE } });
  });
  afterAll(() => t?.close());

  it('serves Prometheus metrics of Tracer itself to an admin key or the scrape token', async () => {
    await postLogs(t.http, [
      { level: 'info', service: 'self', message: 'a' },
      { level: 'info', service: 'self', message: 'b' },
      { level: 'nope', service: 'self', message: 'c' },
    ]);
    const res = await t.http.get('/internal/metrics').set(asAdmin).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^tracer_ingested_logs_total 2$/m);
    expect(res.text).toMatch(/^tracer_rejected_entries_total\{field="level"\} 1$/m);
    expect(res.text).toMatch(/^tracer_writer_queue_rows 0$/m);
    expect(res.text).toMatch(/^tracer_writer_flush_seconds_count \d+$/m);
    expect(res.text).toMatch(/^tracer_http_request_duration_seconds_count\{method="POST",route="\/logs",status="202"\} 1$/m);
    expect(res.text).toContain('tracer_process_resident_memory_bytes');
    const scraped = await t.http.get('/internal/metrics').set({ Authorization: `Bearer ${SCRAPE}` }).expect(200);
    expect(scraped.text).toContain('tracer_ingested_logs_total');
  });

  it('refuses anyone else', async () => {
    await t.http.get('/internal/metrics').expect(401);
    const reader = (await t.http.post('/api-keys').set(asAdmin).send({ name: 'r', scopes: ['read'] }).expect(201)).body.key;
    await t.http.get('/internal/metrics').set({ Authorization: `Bearer ${reader}` }).expect(403);
    // The scrape token opens nothing else.
    await t.http.get('/logs').set({ Authorization: `Bearer ${SCRAPE}` }).expect(401);
  });
});
