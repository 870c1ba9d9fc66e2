import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertsRepository } from '../../src/anomalies/alerts/alerts.repository';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { generateApiKey, hashApiKey, keyPrefix } from '../../src/api-keys/key-material';
import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness } from '../helpers/detection-harness';
import { nestRoutes, scopingProblems, type RouteInfo } from '../helpers/routes';
import { seedLogs } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * Issue 13, key scope in one place: every non-public GET route declares its scoping, and a key bound to
 * service A, over every read route, sees A's data and never B's; blank or foreign filters never widen.
 */
describe('key scope in one place', () => {
  let t: TestApp;
  let port: number;
  let routes: RouteInfo[];
  const A = 'scope-a';
  const B = 'scope-b';
  let boundRead: { Authorization: string };
  let boundAdminLegacy: { Authorization: string };
  const alertIds: Record<string, string> = {};
  let channelId: string;

  /** GET over a real socket; an event stream is read for `streamMs` (or cut after the headers). */
  function get(path: string, headers: Record<string, string>, streamMs = 0): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'GET', path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        const sse = String(res.headers['content-type']).startsWith('text/event-stream');
        if (sse) {
          setTimeout(() => {
            resolve({ status: res.statusCode!, text });
            res.destroy();
          }, streamMs);
        } else res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end();
    });
  }

  /** A concrete URL for a route pattern: its path parameters filled with service A's resources. */
  function urlOf(r: RouteInfo): string {
    return r.path
      .replace('/alerts/:id', `/alerts/${alertIds[A]}`)
      .replace('/alert-channels/:id', `/alert-channels/${channelId}`)
      .replace(':service', A)
      .replace(':name', A);
  }

  beforeAll(async () => {
    t = await createTestApp({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true', RATE_LIMIT_REQUESTS_PER_MINUTE: '0' } });
    await t.app.get(DeliveryScheduler).pause();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    routes = nestRoutes(t.app);

    const h = new DetectionHarness(t, windowStartOf(new Date(Date.now() - 2 * 3600_000), 3600));
    const at = new Date(h.w(0).getTime() + 5_000);
    await seedLogs(t.db, [A, B].flatMap((service) => [0, 1, 2].map((i) => ({ timestamp: new Date(at.getTime() + i), level: 'error' as const, service }))));
    expect((await h.metrics.aggregateWindow(h.w(0))).aggregated).toBe(true);
    await t.http.post('/logs').set(asAdmin).send({ logs: [A, B].map((service) => ({ service, level: 'info', message: `now from ${service}` })) }).expect(202);

    const alerts = t.app.get(AlertsRepository);
    for (const service of [A, B]) {
      const a = await alerts.insert(t.db.dataSource.manager, {
        service, type: 'error_spike', severity: 'high', silenced: false, message: `spike in ${service}`,
        value: 0.5, threshold: 0.05, baseline: 0.01, at, windowStart: h.w(0),
      });
      alertIds[service] = a.id;
      await alerts.insertEvent(t.db.dataSource.manager, a.id, 'opened', 'high');
      await t.http.put(`/anomaly-rules/${service}`).set(asAdmin).send({ minErrorCount: 3 }).expect(200);
      await t.http.post('/silences').set(asAdmin).send({ service, endsAt: new Date(Date.now() + 3600_000).toISOString(), reason: `quiet ${service}` }).expect(201);
    }
    await t.http.post('/silences').set(asAdmin).send({ endsAt: new Date(Date.now() + 3600_000).toISOString(), reason: 'every service' }).expect(201);
    channelId = (await t.http.post('/alert-channels').set(asAdmin).send({ name: 'scope hook', kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook', secret: 'whsec_scope_0123456789' } }).expect(201)).body.id;
    await t.db.query(
      `INSERT INTO alert_deliveries (alert_event_id, channel_id, next_attempt_at, created_at)
       SELECT e.id, $1, now() + interval '1 hour', now() FROM alert_events e JOIN alerts a ON a.id = e.alert_id WHERE a.service = ANY($2)`,
      [channelId, [A, B]],
    );

    boundRead = { Authorization: `Bearer ${(await t.http.post('/api-keys').set(asAdmin).send({ name: 'a reader', scopes: ['read'], service: A }).expect(201)).body.key}` };
    // An admin key bound before admin keys could no longer be bound: it must be confined all the same.
    const legacy = generateApiKey();
    await t.db.query(`INSERT INTO api_keys (name, key_prefix, key_hash, scopes, service) VALUES ('legacy', $1, $2, '{admin}', $3)`, [keyPrefix(legacy), hashApiKey(legacy), A]);
    boundAdminLegacy = { Authorization: `Bearer ${legacy}` };
  });
  afterAll(() => t?.close());

  it('every non-public GET route declares its scoping (the router walk)', () => {
    const gets = routes.filter((r) => r.method === 'GET' && !r.isPublic);
    expect(gets.length).toBeGreaterThanOrEqual(14);
    expect(scopingProblems(routes)).toEqual([]);
    const scoped = gets.filter((r) => r.scoping?.kind === 'service').map((r) => r.path).sort();
    expect(scoped).toEqual(
      ['/alert-channels/:id/deliveries', '/alerts', '/alerts/:id', '/anomaly-rules', '/anomaly-rules/:service', '/logs', '/logs/histogram', '/logs/stream', '/metrics', '/services', '/services/:name/patterns', '/silences'].sort(),
    );
  });

  it('the walk flags a read route that forgets to declare, or declares without taking the scope', () => {
    const base = { method: 'GET', isPublic: false, scopes: ['read' as const], takesReadScope: false };
    expect(scopingProblems([{ ...base, path: '/patterns', scoping: undefined }])).toEqual(['GET /patterns declares neither @ServiceScoped() nor @Unscoped()']);
    expect(scopingProblems([{ ...base, path: '/histograms', scoping: { kind: 'service' } }])).toHaveLength(1);
    expect(scopingProblems([{ ...base, path: '/keys', scoping: { kind: 'unscoped', reason: 'x' } }])).toHaveLength(1);
    expect(scopingProblems([{ ...base, path: '/health', isPublic: true, scoping: undefined }])).toEqual([]);
  });

  it('an admin key sees both services on every scoped route (so the checks below mean something)', async () => {
    for (const r of routes.filter((x) => x.scoping?.kind === 'service' && x.path !== '/logs/stream' && !x.path.includes(':'))) {
      const res = await get(r.path.replace('/metrics', `/metrics?from=${new Date(Date.now() - 3 * 3600_000).toISOString()}`), asAdmin);
      expect([r.path, res.status]).toEqual([r.path, 200]);
      // The histogram names no service: its counts are checked against GET /logs below.
      if (r.path !== '/anomaly-rules/:service' && r.path !== '/logs/histogram') expect([r.path, res.text.includes(A) && res.text.includes(B)]).toEqual([r.path, true]);
    }
  });

  it("a bound read key over every read route: its service's data, never another's", async () => {
    const seen: string[] = [];
    for (const r of routes.filter((x) => x.method === 'GET' && !x.isPublic)) {
      const url = urlOf(r).replace('/metrics', `/metrics?from=${new Date(Date.now() - 3 * 3600_000).toISOString()}`);
      const res = await get(url, boundRead, 300);
      expect([url, res.text.includes(B)]).toEqual([url, false]);
      if (r.scoping?.kind === 'service' && r.scopes.includes('read')) {
        expect([url, res.status]).toEqual([url, 200]);
        if (r.path !== '/logs/stream' && r.path !== '/logs/histogram') expect([url, res.text.includes(A)]).toEqual([url, true]);
        seen.push(r.path);
      } else {
        expect([url, res.status]).toEqual([url, 403]); // admin routes, and unscoped ones
      }
    }
    expect(seen).toHaveLength(11);
  });

  it("/logs/histogram of a bound key counts its service's logs, and an admin's every service's", async () => {
    const range = { from: new Date(Date.now() - 3 * 3600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const count = async (service: string) => (await t.http.get('/logs').query({ ...range, service, limit: 1000 }).set(asAdmin).expect(200)).body.data.length as number;
    const [a, b] = [await count(A), await count(B)];
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect((await t.http.get('/logs/histogram').query(range).set(boundRead).expect(200)).body.total).toBe(a);
    expect((await t.http.get('/logs/histogram').query({ ...range, service: `${A},${B}` }).set(asAdmin).expect(200)).body.total).toBe(a + b);
  });

  it('a foreign service filter is 403 and a blank one 400, on every scoped route', async () => {
    const problems: string[] = [];
    for (const r of routes.filter((x) => x.scoping?.kind === 'service' && x.scopes.includes('read'))) {
      const base = urlOf(r);
      const join = base.includes('?') ? '&' : '?';
      for (const [query, want] of [[`service=${B}`, 403], [`service=${A},${B}`, 403], ['service=', 400], ['service=,', 400], ['service=%20', 400], [`service=${A}&service=`, 400]] as const) {
        const res = await get(`${base}${join}${query}`, boundRead, 100);
        if (res.status !== want) problems.push(`${base}${join}${query}: ${res.status}, wanted ${want}`);
        if (res.text.includes(B)) problems.push(`${base}${join}${query} leaked ${B}`);
      }
      // an unbound key's blank filter is refused too, never read as "every service"
      const admin = await get(`${base}${join}service=`, asAdmin, 100);
      if (admin.status !== 400) problems.push(`${base}${join}service= as admin: ${admin.status}`);
    }
    expect(problems).toEqual([]);
  });

  it("/alerts/:id of another service is 404; its own is there with its events", async () => {
    await t.http.get(`/alerts/${alertIds[B]}`).set(boundRead).expect(404);
    const own = await t.http.get(`/alerts/${alertIds[A]}`).set(boundRead).expect(200);
    expect(own.body).toMatchObject({ service: A, events: [{ event: 'opened' }] });
    await t.http.get(`/alerts/${alertIds[B]}`).set(asAdmin).expect(200);
  });

  it('silences: its own and those of every service; rules: * and its own', async () => {
    const silences = (await t.http.get('/silences').set(boundRead).expect(200)).body.data as { service: string | null }[];
    expect(silences.map((s) => s.service).sort()).toEqual([A, null].sort());
    const rules = (await t.http.get('/anomaly-rules').set(boundRead).expect(200)).body.data as { service: string }[];
    expect(rules.map((r) => r.service)).toEqual(['*', A]);
    await t.http.get('/anomaly-rules/*').set(boundRead).expect(200);
    await t.http.get(`/anomaly-rules/${B}`).set(boundRead).expect(403);
  });

  it('the live tail of a bound key carries its service only', async () => {
    const stream = get('/logs/stream', boundRead, 1500);
    await new Promise((r) => setTimeout(r, 300));
    await t.http.post('/logs').set(asAdmin).send({ logs: [B, A, B].map((service) => ({ service, level: 'info', message: `tail ${service}` })) }).expect(202);
    const { status, text } = await stream;
    expect(status).toBe(200);
    expect(text).toContain(`tail ${A}`);
    expect(text).not.toContain(B);
  });

  it('a bound admin key from before the rule is confined: scoped reads narrowed, everything else 403', async () => {
    const deliveries = await t.http.get(`/alert-channels/${channelId}/deliveries`).set(boundAdminLegacy).expect(200);
    expect(deliveries.body.data.map((d: { service: string }) => d.service)).toEqual([A]);
    expect((await t.http.get(`/alert-channels/${channelId}/deliveries`).set(asAdmin).expect(200)).body.data).toHaveLength(2);
    await t.http.get('/api-keys').set(boundAdminLegacy).expect(403);
    await t.http.get('/alert-channels').set(boundAdminLegacy).expect(403);
    await t.http.post('/api-keys').set(boundAdminLegacy).send({ name: 'escalate', scopes: ['admin'] }).expect(403);
    expect((await t.http.get('/logs').set(boundAdminLegacy).expect(200)).body.data.every((l: { service: string }) => l.service === A)).toBe(true);
  });

  it('an admin key cannot be created with a service binding', async () => {
    for (const scopes of [['admin'], ['read', 'admin']]) {
      const res = await t.http.post('/api-keys').set(asAdmin).send({ name: 'bound admin', scopes, service: A }).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, details: [{ field: 'service', message: 'an admin key cannot be bound to a service' }] });
    }
    await t.http.post('/api-keys').set(asAdmin).send({ name: 'bound ingest', scopes: ['ingest', 'read'], service: A }).expect(201);
  });
});
