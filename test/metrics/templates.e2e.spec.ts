import { templateOf, templateSql } from '../../src/metrics/templates/templater';
import { windowStartOf } from '../../src/metrics/metric-window';
import { DetectionHarness } from '../helpers/detection-harness';
import { seedLogs, type SeedLog } from '../helpers/seed-logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';
import { TEMPLATE_CASES } from '../fixtures/template-cases';

describe('message templates at aggregation time, and GET /services/:name/patterns', () => {
  let t: TestApp;
  let h: DetectionHarness;
  const SVC = `tpl-${process.pid}`;

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_WINDOW_SECONDS: '60' } });
    h = new DetectionHarness(t, windowStartOf(Date.now() - 2 * 3600_000, 3600));
  });
  afterAll(() => t?.close());

  it('masks in SQL exactly as templateOf() does, for every case of the table', async () => {
    for (const [message, template] of [...TEMPLATE_CASES, ['it said "hi" and \'bye\' at 10.0.0.1', templateOf('it said "hi" and \'bye\' at 10.0.0.1')]]) {
      const [row] = await t.db.query<{ t: string; h: string }>(`SELECT ${templateSql('$1::text')} AS t, md5(${templateSql('$1::text')}) AS h`, [message]);
      expect(row.t).toBe(template);
    }
  });

  it('stores the top templates of error and fatal logs per window, replaced when the window is re-aggregated', async () => {
    const at = (i: number, s: number) => new Date(h.w(i).getTime() + s * 1000);
    const logs: SeedLog[] = [];
    for (let s = 0; s < 30; s++) logs.push({ timestamp: at(0, s), level: 'error', service: SVC, message: `payment gateway timeout after ${1000 + s * 7} ms` });
    for (let s = 0; s < 5; s++) logs.push({ timestamp: at(0, 40 + s), level: 'fatal', service: SVC, message: `out of memory in worker ${s}` });
    for (let s = 0; s < 50; s++) logs.push({ timestamp: at(0, s), level: 'info', service: SVC, message: `request ${s} ok` });
    for (let s = 0; s < 4; s++) logs.push({ timestamp: at(2, s), level: 'error', service: SVC, message: `payment gateway timeout after ${s} ms` });
    await seedLogs(t.db, logs);
    for (const i of [0, 1, 2]) await h.runWindow(i);

    const stored = await t.db.query<{ level: string; template: string; count: number }>(
      `SELECT level, template, count FROM message_templates WHERE service = $1 AND window_start = $2 ORDER BY count DESC`,
      [SVC, h.w(0).toISOString()],
    );
    expect(stored).toEqual([
      { level: 'error', template: 'payment gateway timeout after <num> ms', count: 30 },
      { level: 'fatal', template: 'out of memory in worker <num>', count: 5 },
    ]);

    // Late errors for window 0: re-aggregation replaces the window's templates.
    await seedLogs(t.db, [{ timestamp: at(0, 59), level: 'error', service: SVC, message: 'payment gateway timeout after 1 ms' }]);
    await h.metrics.reaggregate(h.w(0));
    const [again] = await t.db.query<{ count: number }>(
      `SELECT count FROM message_templates WHERE service = $1 AND window_start = $2 AND level = 'error'`,
      [SVC, h.w(0).toISOString()],
    );
    expect(again.count).toBe(31);

    const res = await t.http
      .get(`/services/${SVC}/patterns`)
      .query({ from: h.w(0).toISOString(), to: h.w(3).toISOString() })
      .set(asAdmin)
      .expect(200);
    expect(res.body.service).toBe(SVC);
    expect(res.body.data).toHaveLength(2);
    const [timeout, oom] = res.body.data;
    expect(timeout).toMatchObject({ template: 'payment gateway timeout after <num> ms', count: 35, share: 0.875, firstSeen: at(0, 0).toISOString(), lastSeen: h.w(3).toISOString(), new: true });
    expect(timeout.trend).toHaveLength(12);
    expect(timeout.trend.reduce((a: number, b: number) => a + b, 0)).toBe(35);
    expect(timeout.trend[0]).toBe(31);
    expect(timeout.trend[8]).toBe(4);
    expect(oom).toMatchObject({ template: 'out of memory in worker <num>', count: 5 });
    const [example] = await t.db.query<{ message: string; service: string }>(`SELECT message, service FROM logs WHERE id = $1`, [timeout.exampleLogId]);
    expect(example).toEqual({ service: SVC, message: expect.stringMatching(/^payment gateway timeout after \d+ ms$/) });

    const fatalOnly = await t.http.get(`/services/${SVC}/patterns`).query({ from: h.w(0).toISOString(), to: h.w(3).toISOString(), level: 'fatal' }).set(asAdmin).expect(200);
    expect(fatalOnly.body.data.map((p: any) => p.template)).toEqual(['out of memory in worker <num>']);
  });

  it('new_error_template (opt-in): a template unseen for 7 days reaching the count opens one low alert, which resolves', async () => {
    const svc = `${SVC}-new`;
    await t.http.put(`/anomaly-rules/${svc}`).set(asAdmin).send({ newTemplateAlerts: true, newTemplateMinCount: 5 }).expect(200);
    const errors = (i: number, n: number, message: (k: number) => string): SeedLog[] =>
      Array.from({ length: n }, (_, k) => ({ timestamp: new Date(h.w(i).getTime() + k * 1000), level: 'error' as const, service: svc, message: message(k) }));
    // Window 10: a known template's first showing is new too: it opens on it.
    await seedLogs(t.db, [...errors(10, 6, (k) => `disk full on volume ${k}`), ...errors(10, 3, (k) => `rare glitch ${k}`)]);
    await h.runWindow(10);
    let alerts = (await h.alerts(svc)).filter((a) => a.type === 'new_error_template');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'low', status: 'open', value: 6, threshold: 5 });
    const detail = (await t.http.get(`/alerts/${alerts[0].id}`).set(asAdmin).expect(200)).body;
    expect(detail.evidence.topErrors.map((e: any) => [e.template, e.count, e.new])).toEqual([['disk full on volume <num>', 6, true]]);
    // The same template again: no longer new; nothing new after: resolved after 3 windows, never reopened.
    for (const i of [11, 12, 13]) {
      await seedLogs(t.db, errors(i, 8, (k) => `disk full on volume ${k}`));
      await h.runWindow(i);
    }
    alerts = (await h.alerts(svc)).filter((a) => a.type === 'new_error_template');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].status).toBe('resolved');
    expect(alerts[0].events.map((e) => e.event)).toEqual(['opened', 'resolved']);
  });

  it('refuses a bad range, level or service name with the field at fault', async () => {
    const bad = async (path: string, query: Record<string, string>, field: string) => {
      const res = await t.http.get(path).query(query).set(asAdmin);
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: any) => d.field)).toContain(field);
    };
    await bad(`/services/${SVC}/patterns`, { level: 'info' }, 'level');
    await bad(`/services/${SVC}/patterns`, { from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, 'from');
    await bad(`/services/${SVC}/patterns`, { from: 'yesterday' }, 'from');
    await bad('/services/bad%20name/patterns', {}, 'service');
  });
});
