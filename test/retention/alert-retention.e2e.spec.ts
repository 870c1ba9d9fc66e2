import { AlertRetentionService } from '../../src/anomalies/alerts/alert-retention.service';
import { TaskScheduler } from '../../src/common/scheduling/task-scheduler.service';
import { createTestApp, type TestApp } from '../helpers/test-app';

describe('retention of alerts, their events and deliveries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ALERT_RETENTION_DAYS: '30' } });
  });
  afterAll(() => t?.close());

  const alert = async (service: string, status: string, resolvedDaysAgo: number | null) => {
    const [row] = await t.db.query<{ id: string }>(
      `INSERT INTO alerts (service, type, severity, status, message, opened_at, resolved_at)
       VALUES ($1, 'error_spike', 'high', $2, 'm', now() - interval '60 days', $3) RETURNING id`,
      [service, status, resolvedDaysAgo === null ? null : new Date(Date.now() - resolvedDaysAgo * 86400_000).toISOString()],
    );
    await t.db.query(`INSERT INTO alert_events (alert_id, event, severity) VALUES ($1, 'opened', 'high')`, [row.id]);
    return row.id;
  };

  it('deletes resolved alerts past retention with their history, keeps recent and open ones', async () => {
    const old = await alert('ret-old', 'resolved', 31);
    const recent = await alert('ret-recent', 'resolved', 5);
    const open = await alert('ret-open', 'open', null);
    await t.db.query(`INSERT INTO silences (service, starts_at, ends_at, reason) VALUES ('ret-old', now() - interval '50 days', now() - interval '40 days', 'old')`);
    const result = await t.app.get(AlertRetentionService).purge();
    expect(result).toEqual({ alerts: 1, silences: 1 });
    const ids = (await t.db.query<{ id: string }>(`SELECT id FROM alerts WHERE service LIKE 'ret-%'`)).map((r) => r.id).sort();
    expect(ids).toEqual([recent, open].sort());
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert_events WHERE alert_id = $1`, [old]);
    expect(n).toBe(0);
  });

  it('is an hourly task that one replica at a time runs', () => {
    const task = t.app.get(TaskScheduler).get('alert-retention');
    expect(task?.spec).toMatchObject({ everyMs: 3_600_000, oncePerCluster: true });
    expect(task?.isStopped).toBe(false);
  });
});
