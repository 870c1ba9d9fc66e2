import { SilencesService } from '../../src/anomalies/silences/silences.service';
import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness } from '../helpers/detection-harness';
import { seededRandom, seedLogs, windowLogs, type SeedLog, type WindowTraffic } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The HTTP side of anomalies: alerts (list, cursor, detail with events, acknowledge, resolve), rules
 * (defaults, overrides, validation, their effect on detection), silences (recorded, silenced, announced
 * when the silence ends), GET /services and scopes.
 */
describe('alerts, rules, silences and services over HTTP', () => {
  let t: TestApp;
  let h: DetectionHarness;
  const rand = seededRandom(7);

  /** Runs windows from..to with each service's traffic (null: silent). */
  async function run(from: number, to: number, plan: (i: number) => WindowTraffic[]): Promise<void> {
    for (let i = from; i <= to; i++) {
      const logs: SeedLog[] = plan(i).flatMap((tr) => windowLogs(rand, h.w(i), 60, tr));
      await seedLogs(t.db, logs);
      await h.runWindow(i);
    }
  }
  const ok = (service: string) => ({ service, count: 100, errorRate: 0.01, latencyMs: 120 });
  const bad = (service: string) => ({ service, count: 100, errors: 60, latencyMs: 120 });

  beforeAll(async () => {
    t = await createTestApp();
    h = new DetectionHarness(t, windowStartOf(Date.now() - 2 * 3600_000, 3600));
  });
  afterAll(() => t?.close());

  describe('rules', () => {
    it('GET /anomaly-rules lists the * defaults', async () => {
      const res = await t.http.get('/anomaly-rules').set(asAdmin).expect(200);
      expect(res.body.data[0]).toEqual({
        service: '*',
        enabled: true,
        errorRateThreshold: 0.05,
        minErrorCount: 10,
        latencyP95ThresholdMs: 1000,
        baselineWindows: 20,
        sensitivity: 'medium',
        downAfterWindows: 5,
        resolveAfterWindows: 3,
        trafficDropRatio: 0.2,
        trafficMinLogs: 100,
        newTemplateAlerts: false,
        newTemplateMinCount: 20,
        newTemplateLookbackDays: 7,
        overrides: expect.arrayContaining(['enabled', 'downAfterWindows']),
      });
    });

    it('PUT /anomaly-rules/:service sets overrides over *, null clears one, DELETE restores the defaults', async () => {
      let res = await t.http.put('/anomaly-rules/quick-down').set(asAdmin).send({ downAfterWindows: 2, resolveAfterWindows: 2 }).expect(200);
      expect(res.body).toMatchObject({ service: 'quick-down', downAfterWindows: 2, resolveAfterWindows: 2, minErrorCount: 10, overrides: ['downAfterWindows', 'resolveAfterWindows'] });
      res = await t.http.put('/anomaly-rules/quick-down').set(asAdmin).send({ resolveAfterWindows: null }).expect(200);
      expect(res.body).toMatchObject({ downAfterWindows: 2, resolveAfterWindows: 3, overrides: ['downAfterWindows'] });
      res = await t.http.get('/anomaly-rules/quick-down').set(asAdmin).expect(200);
      expect(res.body.downAfterWindows).toBe(2);
      expect((await t.http.get('/anomaly-rules/other').set(asAdmin).expect(200)).body).toMatchObject({ service: 'other', downAfterWindows: 5, overrides: [] });

      await t.http.put('/anomaly-rules/tmp').set(asAdmin).send({ enabled: false }).expect(200);
      await t.http.delete('/anomaly-rules/tmp').set(asAdmin).expect(204);
      await t.http.delete('/anomaly-rules/tmp').set(asAdmin).expect(404);
      expect((await t.http.get('/anomaly-rules/tmp').set(asAdmin).expect(200)).body.enabled).toBe(true);
    });

    it('validates fields and protects the * row', async () => {
      const res = await t.http.put('/anomaly-rules/x').set(asAdmin).send({ errorRateThreshold: 2, sensitivity: 'extreme' }).expect(400);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['errorRateThreshold', 'sensitivity']);
      await t.http.put('/anomaly-rules/x').set(asAdmin).send({ bogus: 1 }).expect(400);
      const star = await t.http.put('/anomaly-rules/*').set(asAdmin).send({ minErrorCount: null }).expect(400);
      expect(star.body.details).toEqual([{ field: 'minErrorCount', message: 'must not be null for *' }]);
      await t.http.delete('/anomaly-rules/*').set(asAdmin).expect(400);
    });

    it('needs the admin scope to change, the read scope to look', async () => {
      await t.http.get('/anomaly-rules').expect(401);
      const key = await t.http.post('/api-keys').set(asAdmin).send({ name: 'reader', scopes: ['read'] }).expect(201);
      const reader = { Authorization: `Bearer ${key.body.key}` };
      // issue 13: rules and silences are read routes (service-scoped); changing them stays admin-only
      await t.http.get('/anomaly-rules').set(reader).expect(200);
      await t.http.put('/anomaly-rules/reader-svc').set(reader).send({ errorRateThreshold: 0.2 }).expect(403);
      await t.http.delete('/anomaly-rules/reader-svc').set(reader).expect(403);
      await t.http.get('/silences').set(reader).expect(200);
      await t.http.post('/silences').set(reader).send({ endsAt: new Date(Date.now() + 60_000).toISOString(), reason: 'x' }).expect(403);
      await t.http.get('/alerts').set(reader).expect(200);
      await t.http.get('/services').set(reader).expect(200);
      await t.http.get('/metrics').set(reader).expect(200);
    });
  });

  describe('alerts lifecycle over windows 0..19', () => {
    let silenceId: string;
    let released: string[];

    beforeAll(async () => {
      // quick-down has downAfterWindows 2 (set above). silenced-a is silenced before its incident.
      const silence = await t.http
        .post('/silences')
        .set(asAdmin)
        .send({ service: 'silenced-a', type: 'error_spike', endsAt: new Date(Date.now() + 3600_000).toISOString(), reason: 'deploy' })
        .expect(201);
      silenceId = silence.body.id;
      await run(0, 7, () => [ok('api-a'), ok('api-b'), ok('quick-down'), ok('silenced-a'), ok('calm')]);
      await run(8, 9, () => [bad('api-a'), ok('api-b'), bad('silenced-a'), ok('calm')]); // quick-down silent from 8
      await run(10, 10, () => [bad('api-a'), bad('api-b'), bad('silenced-a'), ok('calm')]);
      released = [];
    });

    it('GET /alerts pages newest first with a cursor, and filters', async () => {
      const all = await t.http.get('/alerts').set(asAdmin).expect(200);
      const summary = all.body.data.map((a: { service: string; type: string; status: string }) => `${a.service}:${a.type}:${a.status}`);
      // api-a and silenced-a opened in the same window: their order is by id
      expect(summary.slice(0, 2)).toEqual(['api-b:error_spike:open', 'quick-down:service_down:open']);
      expect(summary.slice(2).sort()).toEqual(['api-a:error_spike:open', 'silenced-a:error_spike:open']);
      expect(all.body.nextCursor).toBeNull();

      const p1 = await t.http.get('/alerts').query({ limit: 3 }).set(asAdmin).expect(200);
      expect(p1.body.data).toHaveLength(3);
      const p2 = await t.http.get('/alerts').query({ limit: 3, cursor: p1.body.nextCursor }).set(asAdmin).expect(200);
      const ids = (r: { body: { data: { id: string }[] } }) => r.body.data.map((a) => a.id);
      expect([...ids(p1), ...ids(p2)]).toEqual(ids(all));
      expect(p2.body.nextCursor).toBeNull();

      const f = await t.http.get('/alerts').query({ type: 'service_down' }).set(asAdmin).expect(200);
      expect(f.body.data).toHaveLength(1);
      expect(f.body.data[0]).toMatchObject({ service: 'quick-down', severity: 'high', value: 3, threshold: 2, occurrences: 2 }); // silent 8, 9 (opened), 10
      const s = await t.http.get('/alerts').query({ service: 'api-a', status: 'open' }).set(asAdmin).expect(200);
      expect(s.body.data).toHaveLength(1);
      const ranged = await t.http.get('/alerts').query({ from: h.w(10).toISOString(), to: h.w(12).toISOString() }).set(asAdmin).expect(200);
      expect(ranged.body.data.map((a: { service: string }) => a.service)).toEqual(['api-b', 'quick-down']); // opened at w(11) and w(10)

      await t.http.get('/alerts').query({ cursor: 'garbage' }).set(asAdmin).expect(400);
      await t.http.get('/alerts').query({ status: 'nope' }).set(asAdmin).expect(400);
      await t.http.get('/alerts').query({ service: 'a\u0000' }).set(asAdmin).expect(400);
    });

    it('GET /alerts/:id returns the alert with its events; 404 and 400 otherwise', async () => {
      const [a] = (await t.http.get('/alerts').query({ service: 'api-a' }).set(asAdmin)).body.data;
      const res = await t.http.get(`/alerts/${a.id}`).set(asAdmin).expect(200);
      expect(res.body).toMatchObject({
        id: a.id,
        service: 'api-a',
        type: 'error_spike',
        status: 'open',
        silenced: false,
        occurrences: 3,
        openedAt: h.w(9).toISOString(), // the end of window 8, its first bad window
        lastSeenAt: h.w(11).toISOString(),
        acknowledgedAt: null,
        resolvedAt: null,
        value: 0.6,
      });
      // baseline ~1% + 4 deviations, above the 5% floor
      expect(res.body.baseline).toBeCloseTo(0.01, 2);
      expect(res.body.threshold).toBeGreaterThan(0.05);
      expect(res.body.threshold).toBeLessThan(0.1);
      expect(res.body.message).toMatch(/^Error rate 60\.0% \(60 of 100 logs\)/);
      expect(res.body.events).toEqual([{ id: expect.any(String), event: 'opened', severity: 'critical', createdAt: expect.any(String) }]);
      await t.http.get('/alerts/00000000-0000-4000-8000-000000000000').set(asAdmin).expect(404);
      await t.http.get('/alerts/not-a-uuid').set(asAdmin).expect(400);
    });

    it('acknowledge then resolve by hand, with the resolved event written and announced', async () => {
      const [a] = (await t.http.get('/alerts').query({ service: 'api-b' }).set(asAdmin)).body.data;
      const ack = await t.http.post(`/alerts/${a.id}/acknowledge`).set(asAdmin).expect(200);
      expect(ack.body).toMatchObject({ status: 'acknowledged', acknowledgedAt: expect.any(String) });
      expect((await t.http.post(`/alerts/${a.id}/acknowledge`).set(asAdmin).expect(200)).body.acknowledgedAt).toBe(ack.body.acknowledgedAt);
      const emittedBefore = h.emitted.length;
      const res = await t.http.post(`/alerts/${a.id}/resolve`).set(asAdmin).expect(200);
      expect(res.body).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
      await t.http.post(`/alerts/${a.id}/resolve`).set(asAdmin).expect(200); // idempotent: no second event
      const detail = await t.http.get(`/alerts/${a.id}`).set(asAdmin).expect(200);
      expect(detail.body.events.map((e: { event: string }) => e.event)).toEqual(['opened', 'resolved']);
      expect(h.emitted.slice(emittedBefore)).toEqual([
        { name: 'alert.resolved', payload: { alertId: a.id, alertEventId: detail.body.events[1].id, service: 'api-b', type: 'error_spike', severity: 'critical' } },
      ]);
      await t.http.post('/alerts/00000000-0000-4000-8000-000000000000/resolve').set(asAdmin).expect(404);
    });

    it('GET /services: down, degraded, healthy, with the last window numbers', async () => {
      const res = await t.http.get('/services').set(asAdmin).expect(200);
      const by = Object.fromEntries(res.body.data.map((s: { name: string }) => [s.name, s]));
      expect(by['quick-down']).toMatchObject({ status: 'down', openAlerts: 1, logCount: 0, errorRate: 0, latencyP95: null, windowStart: h.w(10).toISOString() });
      expect(by['api-a']).toMatchObject({ status: 'degraded', openAlerts: 1, logCount: 100, errorRate: 0.6 });
      expect(by['api-b']).toMatchObject({ status: 'healthy', openAlerts: 0 });
      expect(by.calm).toMatchObject({ status: 'healthy', openAlerts: 0, logCount: 100 });
      expect(by.calm.latencyP95).toBeGreaterThan(100);
      expect(by.calm.latencyP95).toBeLessThan(150);
      expect(by.calm.lastSeenAt).toEqual(expect.any(String));
    });

    it('silences: the silenced alert is recorded with silenced = true; ending the silence announces it', async () => {
      const [a] = (await t.http.get('/alerts').query({ service: 'silenced-a' }).set(asAdmin)).body.data;
      expect(a).toMatchObject({ silenced: true, status: 'open' });
      const list = await t.http.get('/silences').set(asAdmin).expect(200);
      expect(list.body.data[0]).toMatchObject({ id: silenceId, service: 'silenced-a', type: 'error_spike', reason: 'deploy', active: true });

      // Nothing is released while the silence runs.
      expect(await t.app.get(SilencesService).releaseEnded()).toEqual([]);
      const emittedBefore = h.emitted.length;
      await t.http.delete(`/silences/${silenceId}`).set(asAdmin).expect(204);
      await t.http.delete(`/silences/${silenceId}`).set(asAdmin).expect(404);
      const after = await t.http.get(`/alerts/${a.id}`).set(asAdmin).expect(200);
      expect(after.body.silenced).toBe(false);
      expect(h.emitted.slice(emittedBefore)).toEqual([
        { name: 'alert.opened', payload: { alertId: a.id, alertEventId: after.body.events[0].id, service: 'silenced-a', type: 'error_spike', severity: 'critical' } },
      ]);
      released.push(a.id);
    });

    it('a silence that runs out (scheduled check) un-silences what is still open', async () => {
      await t.http.post('/silences').set(asAdmin).send({ service: 'api-a', endsAt: new Date(Date.now() + 3600_000).toISOString(), reason: 'x' }).expect(201);
      // api-a escalation is impossible (already critical); silence a new service_down instead
      await t.http.post('/silences').set(asAdmin).send({ type: 'service_down', endsAt: new Date(Date.now() + 3600_000).toISOString(), reason: 'maintenance' }).expect(201);
      await run(11, 11, () => [bad('api-a'), ok('calm')]); // silenced-a, api-b silent from here
      await run(12, 16, () => [bad('api-a'), ok('calm')]);
      const down = (await t.http.get('/alerts').query({ type: 'service_down', status: 'open' }).set(asAdmin)).body.data;
      const bySvc = Object.fromEntries(down.map((a: { service: string; silenced: boolean }) => [a.service, a.silenced]));
      // quick-down opened before the silence, but escalated (6 silent windows = 3 x 2) during it: silenced too
      expect(bySvc).toEqual({ 'quick-down': true, 'api-b': true, 'silenced-a': true });
      const quick = down.find((a: { service: string }) => a.service === 'quick-down');
      const events = (await t.http.get(`/alerts/${quick.id}`).set(asAdmin)).body.events.map((e: { event: string; severity: string }) => `${e.event}:${e.severity}`);
      expect(events).toEqual(['opened:high', 'escalated:critical']);
      // the silences end: moved into the past rather than waiting for the clock
      await t.db.query(`UPDATE silences SET starts_at = now() - interval '2 hours', ends_at = now() - interval '1 second'`);
      const ids = await t.app.get(SilencesService).releaseEnded();
      expect(ids.sort()).toEqual(down.filter((a: { silenced: boolean }) => a.silenced).map((a: { id: string }) => a.id).sort());
      expect(await t.app.get(SilencesService).releaseEnded()).toEqual([]);
    });

    it('rejects bad silences', async () => {
      await t.http.post('/silences').set(asAdmin).send({ endsAt: new Date(Date.now() - 1000).toISOString(), reason: 'past' }).expect(400);
      await t.http.post('/silences').set(asAdmin).send({ endsAt: new Date(Date.now() + 1000).toISOString() }).expect(400);
      await t.http.post('/silences').set(asAdmin).send({ type: 'nope', endsAt: new Date(Date.now() + 1000).toISOString(), reason: 'x' }).expect(400);
      await t.http.delete('/silences/nope').set(asAdmin).expect(400);
      const nul = await t.http.post('/silences').set(asAdmin).send({ endsAt: new Date(Date.now() + 60_000).toISOString(), reason: 'a\u0000b' }).expect(400);
      expect(nul.body.details).toEqual([{ field: 'reason', message: 'reason must not contain NUL characters' }]);
      await t.http.post('/silences').set(asAdmin).send({ service: 'a b', endsAt: new Date(Date.now() + 60_000).toISOString(), reason: 'x' }).expect(400);
    });
  });

  it('GET /metrics validates its range', async () => {
    await t.http.get('/metrics').query({ from: h.w(5).toISOString(), to: h.w(1).toISOString() }).set(asAdmin).expect(400);
    await t.http.get('/metrics').query({ from: 'yesterday' }).set(asAdmin).expect(400);
    const bad = await t.http.get('/metrics').query({ service: 'x\u0000' }).set(asAdmin).expect(400);
    // issue 13: NUL is refused for every parameter of every route before DTO validation, naming the field
    expect(bad.body.details).toEqual([{ field: 'service', message: 'service must not contain NUL characters' }]);
    const blank = await t.http.get('/metrics').query({ service: ' ' }).set(asAdmin).expect(400);
    expect(blank.body.details).toContainEqual({ field: 'service', message: 'service must not be empty or contain an empty name' });
    const res = await t.http.get('/metrics').query({ service: 'calm', from: h.w(0).toISOString(), to: h.w(3).toISOString() }).set(asAdmin).expect(200);
    expect(res.body.data.map((r: { windowStart: string }) => r.windowStart)).toEqual([h.w(0), h.w(1), h.w(2)].map((d) => d.toISOString()));
  });
});
