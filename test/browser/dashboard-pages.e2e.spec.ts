import { copyFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DeliveryDispatcher } from '../../src/alert-channels/delivery/delivery-dispatcher.service';
import { DeliveryScheduler } from '../../src/alert-channels/delivery/delivery.scheduler';
import { windowStartOf } from '../../src/metrics/metric-window';
import { FakeServer } from '../alert-channels/fakes';
import { DetectionHarness } from '../helpers/detection-harness';
import { postLogs } from '../helpers/logs';
import { seededRandom, seedLogs, windowLogs } from '../helpers/seed-logs';
import { ARTIFACTS, browserTestsEnabled, openBrowser, prepareDashboard, ROOT } from '../helpers/browser';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The dashboard's pages and links (issue 17) in headless Chromium against the real app: a notification's
 * alert link opened directly, the alert page's timeline with its deliveries, silencing from it, channels
 * (create, test send, delivery log), keys (create shown once, revoke), a shared logs link, the histogram
 * against GET /logs, drag-to-zoom, and a 7-day chart that keeps its newest window.
 *
 * As dashboard.spec.ts: the PostgreSQL pass of CI only, where Debian's chromium is installed. With
 * UPDATE_SCREENSHOTS=1 the README's screenshots (docs/dashboard-*.png) are written again.
 */
const updateDocs = process.env.UPDATE_SCREENSHOTS === '1';

(browserTestsEnabled ? describe : describe.skip)('dashboard pages and links', () => {
  let t: TestApp;
  let h: DetectionHarness;
  let dispatcher: DeliveryDispatcher;
  let browser: Browser;
  let page: Page;
  let base: string;
  let adminKey: string;
  const hook = new FakeServer();
  const consoleErrors: string[] = [];
  const run = Date.now().toString(36);
  /** The newest window seeded for week-svc. */
  let weekLast: Date;
  const histBase = Math.floor((Date.now() - 50 * 60_000) / 60_000) * 60_000;

  async function shot(name: string, docs = false): Promise<void> {
    const path = join(ARTIFACTS, `dashboard-${name}.png`);
    // The README's pictures show the first screen; the artifacts the whole page.
    await page.screenshot({ path, fullPage: !docs });
    if (docs && updateDocs) copyFileSync(path, join(ROOT, 'docs', `dashboard-${name}.png`));
  }

  /** GET /logs, every page: the number of logs a query matches. */
  async function countLogs(query: Record<string, string>): Promise<number> {
    let n = 0;
    let cursor: string | null = null;
    do {
      const res: { body: { data: unknown[]; nextCursor: string | null } } = await t.http.get('/logs').query({ ...query, limit: 1000, ...(cursor ? { cursor } : {}) }).set(asAdmin).expect(200);
      n += res.body.data.length;
      cursor = res.body.nextCursor;
    } while (cursor);
    return n;
  }

  beforeAll(async () => {
    prepareDashboard();
    await hook.start();
    t = await createTestApp({ env: { METRICS_WINDOW_SECONDS: '60', ALLOW_PRIVATE_WEBHOOKS: 'true', PUBLIC_URL: 'https://tracer.example.com' } });
    await t.app.get(DeliveryScheduler).pause();
    dispatcher = t.app.get(DeliveryDispatcher);
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    adminKey = (await t.http.post('/api-keys').set(asAdmin).send({ name: `pages-admin-${run}`, scopes: ['admin'] }).expect(201)).body.key;
    h = new DetectionHarness(t, windowStartOf(Date.now() - 40 * 60_000, 60));

    // Logs of the histogram and zoom tests: hist-<run> sends, in minute m of the last 50, (m % 5) info
    // logs and an error every 7th minute.
    const logs: Record<string, unknown>[] = [];
    for (let m = 0; m < 50; m++) {
      for (let i = 0; i < m % 5; i++) logs.push({ timestamp: new Date(histBase + m * 60_000 + i * 1000).toISOString(), service: `hist-${run}`, level: 'info', message: `tick ${m}` });
      if (m % 7 === 0) logs.push({ timestamp: new Date(histBase + m * 60_000 + 30_000).toISOString(), service: `hist-${run}`, level: 'error', message: `boom ${m}`, metadata: { region: m < 25 ? 'eu' : 'us' } });
    }
    await postLogs(t.http, logs);
    await postLogs(t.http, [
      { service: 'web-shop', level: 'info', message: `cart viewed ${run}`, metadata: { user: 'u-1', http: { route: '/cart', status: 200 } } },
      { service: 'web-shop', level: 'error', message: `payment declined ${run}`, metadata: { orderId: 'o-42', reason: 'card_declined' } },
      { service: 'web-shop', level: 'error', message: `card expired ${run}`, metadata: { orderId: 'o-43', reason: 'expired' } },
      { service: 'week-svc', level: 'info', message: `week ${run}` },
    ]);

    // 7 days and one window of 1-minute windows for week-svc: 10,081 windows, more than one GET /metrics
    // page (10,000); the newest carries 4242 logs.
    weekLast = windowStartOf(Date.now() - 60_000, 60);
    const last = weekLast;
    await t.db.query(
      `INSERT INTO metrics (service, window_start, window_seconds, log_count, error_count, warn_count, latency_count, latency_p50, latency_p95, latency_p99, updated_at)
       SELECT 'week-svc', s, 60, CASE WHEN s = $2::timestamptz THEN 4242 ELSE 100 END, 1, 2, 100, 20, 80, 120, now()
         FROM generate_series($1::timestamptz, $2::timestamptz, interval '1 minute') AS s`,
      [new Date(last.getTime() - 7 * 86400_000).toISOString(), last.toISOString()],
    );

    ({ browser, page } = await openBrowser(consoleErrors));
    await page.goto(`${base}/ui/#key=${encodeURIComponent(adminKey)}`);
    await page.locator('nav a[data-tab="keys"]').waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await hook.stop();
  });

  it('creates a webhook channel and shows its test send', async () => {
    await page.click('nav a[data-tab="channels"]');
    expect(new URL(page.url()).pathname).toBe('/ui/admin/channels');
    const form = page.locator('.create-channel form');
    await form.locator('select[name="kind"] option[value="webhook"]').waitFor({ state: 'attached' });
    await form.locator('select[name="kind"]').selectOption('webhook');
    await form.locator('input[name="name"]').fill(`ops hook ${run}`);
    await form.locator('input[name="config.url"]').fill(`${hook.url}/tracer`);
    await form.getByRole('button', { name: 'Create channel' }).click();
    const card = page.locator(`.channel-card[data-name="ops hook ${run}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: 'Send test' }).click();
    await card.locator('.test-result[data-ok="true"]').waitFor();
    expect(await card.locator('.test-result').textContent()).toContain('200');
    expect(hook.requests.filter((r) => r.path === '/tracer')).toHaveLength(1);
  });

  it("opens a notification's alert link directly: facts, timeline with the delivery, and the delivery log", async () => {
    // checkout-<run>: 12 quiet windows, then 60% errors: an error_spike opens and is delivered to the hook.
    const svc = `checkout-${run}`;
    const rand = seededRandom(17);
    for (let i = 0; i < 15; i++) {
      await seedLogs(t.db, windowLogs(rand, h.w(i), h.ws, { service: svc, count: 80, ...(i >= 12 ? { errors: 48 } : { errorRate: 0.01 }), latencyMs: 140 }));
      await h.runWindow(i);
    }
    await dispatcher.runOnce(new Date());
    const [alert] = (await h.alerts(svc)).filter((a) => a.status === 'open');
    const sent = hook.requests.filter((r) => r.path === '/tracer' && r.raw.includes(alert.id));
    expect(sent).toHaveLength(1);
    const link = /https:\/\/tracer\.example\.com(\/ui\/alerts\/[^"\s\\]+)/.exec(sent[0].raw)![1];
    expect(link).toBe(`/ui/alerts/${alert.id}`);

    // A fresh tab, as a click in Slack or an email opens it.
    await page.goto('about:blank');
    await page.goto(`${base}${link}`);
    const head = page.locator(`.alert-head[data-alert-id="${alert.id}"]`);
    await head.waitFor();
    expect(await head.getAttribute('data-status')).toBe('open');
    expect(await head.locator('.alert-type').textContent()).toBe('error_spike');
    await page.locator('.timeline li[data-event="opened"]').waitFor();
    const delivered = page.locator('.timeline li[data-event="delivery-sent"]');
    await delivered.waitFor();
    expect(await delivered.textContent()).toContain(`ops hook ${run}`);
    expect(await delivered.textContent()).toContain('HTTP 200');
    await page.locator('.view-alert figure.chart canvas').first().waitFor();
    // Its logs are one click away: the service and the alert's window.
    const logsHref = new URL((await page.locator('a.alert-logs').getAttribute('href'))!, base);
    expect(logsHref.pathname).toBe('/ui/logs');
    expect(logsHref.searchParams.get('service')).toBe(svc);
    expect(Date.parse(logsHref.searchParams.get('from')!)).toBeLessThanOrEqual(alert.openedAt.getTime());
    await shot('alert', true);

    // The channel's delivery log shows the same delivery.
    await page.click('nav a[data-tab="channels"]');
    const card = page.locator(`.channel-card[data-name="ops hook ${run}"]`);
    await card.getByRole('button', { name: 'Deliveries' }).click();
    const row = card.locator('.delivery-log tbody tr[data-status="sent"]');
    await row.waitFor();
    expect(await row.textContent()).toContain(`${svc} error_spike`);
    expect(await row.textContent()).toContain('HTTP 200');
    await shot('channels', true);

    // Back returns to the alert page, forward to the channels again.
    await page.goBack();
    await head.waitFor();
    await page.goForward();
    await card.waitFor();
  });

  it('silences an alert from its page, acknowledges it, and the silence can be expired', async () => {
    const svc = `checkout-${run}`;
    const [alert] = (await h.alerts(svc)).filter((a) => a.status === 'open');
    await page.goto(`${base}/ui/alerts/${alert.id}`);
    const actions = page.locator('.alert-actions');
    await actions.locator('select[name="duration"]').selectOption({ label: '4 hours' });
    await actions.locator('input[name="reason"]').fill(`deploy ${run}`);
    await actions.getByRole('button', { name: 'Silence' }).click();
    await page.locator('.view-alert .notice', { hasText: 'Silenced' }).waitFor();
    const silences = (await t.http.get('/silences').set(asAdmin).expect(200)).body.data as { id: string; service: string; type: string; reason: string; endsAt: string; active: boolean }[];
    const silence = silences.find((s) => s.reason === `deploy ${run}`)!;
    expect(silence).toMatchObject({ service: svc, type: 'error_spike', active: true });
    expect(Date.parse(silence.endsAt) - Date.now()).toBeGreaterThan(3.9 * 3600_000);

    await actions.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator(`.alert-head[data-status="acknowledged"]`).waitFor();
    expect((await t.http.get(`/alerts/${alert.id}`).set(asAdmin).expect(200)).body.status).toBe('acknowledged');
    await page.locator('.timeline li[data-event="acknowledged"]').waitFor();

    await page.click('nav a[data-tab="silences"]');
    const row = page.locator(`tr[data-silence-id="${silence.id}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-active')).toBe('true');
    await row.getByRole('button', { name: 'End now' }).click();
    // Ended: DELETE /silences/:id removes it, and alerts it held back are notified.
    await row.waitFor({ state: 'detached' });
    expect(((await t.http.get('/silences').set(asAdmin).expect(200)).body.data as { id: string }[]).map((s) => s.id)).not.toContain(silence.id);

    // The page's own form offers every alert type, and shows the API's refusal in its error line.
    const form = page.locator('.create-silence form');
    expect(await form.locator('select[name="type"] option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))).toEqual([
      '',
      'error_spike',
      'high_latency',
      'service_down',
      'traffic_drop',
      'new_error_template',
    ]);
    await form.locator('input[name="service"]').fill('x'.repeat(300));
    await form.locator('input[name="reason"]').fill(`drop ${run}`);
    await form.getByRole('button', { name: 'Create silence' }).click();
    await page.locator('.create-silence .error:not([hidden])').waitFor();
    await form.locator('input[name="service"]').fill(svc);
    await form.locator('select[name="type"]').selectOption('traffic_drop');
    await form.getByRole('button', { name: 'Create silence' }).click();
    await page.locator('.create-silence .error[hidden]').waitFor({ state: 'attached' });
    const created = ((await t.http.get('/silences').set(asAdmin).expect(200)).body.data as { id: string; service: string; type: string; reason: string }[]).find(
      (s) => s.reason === `drop ${run}`,
    );
    expect(created).toMatchObject({ service: svc, type: 'traffic_drop' });
    await page.locator(`tr[data-silence-id="${created!.id}"]`).waitFor();
    expect(await form.locator('input[name="reason"]').inputValue()).toBe('');
  });

  it('creates a key, shows it once with a copy button, and revokes it', async () => {
    await page.click('nav a[data-tab="keys"]');
    const form = page.locator('.create-key form');
    await form.locator('input[name="name"]').fill(`reader ${run}`);
    await form.locator('input[name="scope"][value="ingest"]').uncheck();
    await form.locator('input[name="scope"][value="read"]').check();
    await form.locator('input[name="service"]').fill('web-shop');
    await form.getByRole('button', { name: 'Create key' }).click();
    const plain = (await page.locator('.new-key .plain-key').textContent())!;
    expect(plain).toMatch(/^trc_/);
    await page.locator('.new-key').getByRole('button', { name: 'Copy' }).waitFor();
    // The key works, and reads only its service.
    const bound = { Authorization: `Bearer ${plain}` };
    await t.http.get('/logs?service=web-shop').set(bound).expect(200);
    await t.http.get('/logs?service=other').set(bound).expect(403);
    const row = page.locator(`tr[data-name="reader ${run}"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe('read');
    expect(await row.locator('td').nth(3).textContent()).toBe('web-shop');
    expect(await row.textContent()).not.toContain(plain);

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.locator(`tr.revoked[data-name="reader ${run}"]`).waitFor();
    await t.http.get('/logs?service=web-shop').set(bound).expect(401);
    // Shown once: leaving the page forgets it.
    await page.click('nav a[data-tab="channels"]');
    await page.click('nav a[data-tab="keys"]');
    await expect(page.locator('.new-key').count()).resolves.toBe(0);
  });

  it('restores a shared logs link: filters in the form, the list filtered; a metadata value click filters, back undoes it', async () => {
    const shared = `${base}/ui/logs?service=web-shop&level=error&range=24h&q=${run}`;
    await page.goto('about:blank');
    await page.goto(shared);
    const rows = page.locator('.view-logs .log-row');
    await page.locator('.log-row', { hasText: `card expired ${run}` }).waitFor();
    expect(await rows.locator('.log-message').allTextContents()).toEqual([`card expired ${run}`, `payment declined ${run}`]);
    expect(await page.locator('.log-filters input[name="service"]').inputValue()).toBe('web-shop');
    expect(await page.locator('.log-filters input[name="q"]').inputValue()).toBe(run);
    expect(await page.locator('.log-filters input[name="level"][value="error"]').isChecked()).toBe(true);
    expect(await page.locator('.log-filters input[name="level"][value="info"]').isChecked()).toBe(false);
    expect(await page.locator('.log-filters select[name="range"]').inputValue()).toBe('24h');

    // Reload: the same search.
    await page.reload();
    await page.locator('.log-row', { hasText: `card expired ${run}` }).waitFor();
    expect(await rows.count()).toBe(2);

    // Click a metadata value: the URL gains the filter, the list narrows.
    await page.locator('.log-row', { hasText: `payment declined ${run}` }).locator('.log-line').click();
    await page.locator('.log-row.open .meta-value[data-key="orderId"]').click();
    await page.locator('.log-row', { hasText: `card expired ${run}` }).waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('metadata.orderId')).toBe('o-42');
    expect(await page.locator('.log-filters input[name="metadata"]').inputValue()).toBe('orderId=o-42');
    expect(await rows.count()).toBe(1);

    // Back: the previous search again.
    await page.goBack();
    await page.locator('.log-row', { hasText: `card expired ${run}` }).waitFor();
    expect(new URL(page.url()).searchParams.get('metadata.orderId')).toBeNull();
    expect(await page.locator('.log-filters input[name="metadata"]').inputValue()).toBe('');
  });

  it('draws a histogram whose bars add up to what GET /logs returns for the same filters', async () => {
    const from = new Date(histBase).toISOString();
    const to = new Date(histBase + 50 * 60_000).toISOString();
    await page.goto(`${base}/ui/logs?service=hist-${run}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    const chart = page.locator('.view-logs .histogram');
    await chart.locator('.hbar').first().waitFor();
    const expected = await countLogs({ service: `hist-${run}`, from, to });
    expect(expected).toBe(100 + 8);
    expect(Number(await chart.getAttribute('data-total'))).toBe(expected);
    const bars = await chart.locator('.hbar').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { total: string } }).dataset.total)));
    expect(bars.reduce((a, b) => a + b, 0)).toBe(expected);
    // Errors only: the red segments alone, and the same number as GET /logs.
    await page.goto(`${base}/ui/logs?service=hist-${run}&level=error&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    await page.locator('.view-logs .histogram[data-total="8"]').waitFor();
    expect(await countLogs({ service: `hist-${run}`, level: 'error', from, to })).toBe(8);
    expect(await chart.locator('.hseg[data-level="error"]').count()).toBe(8);
    expect(await chart.locator('.hseg:not([data-level="error"])').count()).toBe(0);
    await page.goto(`${base}/ui/logs?service=hist-${run}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    await chart.locator('.hbar').first().waitFor();
    await shot('logs', true);
  });

  it('drag-to-zoom narrows the range to the bars dragged across', async () => {
    const chart = page.locator('.view-logs .histogram');
    const before = Number(await chart.getAttribute('data-total'));
    const box = (await chart.locator('.hbars').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL((u) => u.searchParams.get('from') !== new Date(histBase).toISOString());
    const url = new URL(page.url());
    const from = url.searchParams.get('from')!;
    const to = url.searchParams.get('to')!;
    expect(url.searchParams.get('range')).toBeNull();
    expect(Date.parse(from)).toBeGreaterThan(histBase);
    expect(Date.parse(to)).toBeLessThan(histBase + 50 * 60_000);
    expect(Date.parse(to) - Date.parse(from)).toBeGreaterThanOrEqual(10 * 60_000);
    // The list and the histogram follow the new range, and still agree with GET /logs.
    const expected = await countLogs({ service: `hist-${run}`, from, to });
    await page.locator(`.view-logs .histogram[data-total="${expected}"]`).waitFor();
    expect(expected).toBeLessThan(before);
    expect(await page.locator('.log-filters select[name="range"]').inputValue()).toBe('');
    // Back: the range before the zoom.
    await page.goBack();
    await page.locator(`.view-logs .histogram[data-total="${before}"]`).waitFor();
  });

  it('reaches a service page from the services table; a 7-day chart includes the newest window', async () => {
    await page.click('nav a[data-tab="services"]');
    await page.locator('tr[data-service="week-svc"] a').click();
    expect(new URL(page.url()).pathname).toBe('/ui/services/week-svc');
    await page.locator('.view-service select[name="range"]').selectOption('7d');
    await page.waitForURL((u) => u.searchParams.get('range') === '7d');
    const charts = page.locator('.view-service .charts');
    await charts.locator('figure.chart canvas').first().waitFor();
    const last = weekLast;
    // The 7-day load (one GET /metrics?points=) has replaced the 1-hour one when its step is drawn: points of
    // 15 min or more (the server's rollup levels; which one depends on the chart's width), at most one per
    // two pixels, the newest window in the last point, and every seeded log counted once.
    await page.locator('.view-service .charts[data-step]:not([data-step="60"])').waitFor();
    const step = Number(await charts.getAttribute('data-step'));
    expect(step).toBeGreaterThanOrEqual(900);
    expect(Number(await charts.getAttribute('data-points'))).toBeLessThanOrEqual(700);
    expect(Date.parse((await charts.getAttribute('data-last-end'))!)).toBeGreaterThan(last.getTime());
    expect(Date.parse((await charts.getAttribute('data-last'))!)).toBeLessThanOrEqual(last.getTime());
    // [now - 7 d, now) holds the newest 10,078 or 10,079 of the 10,081 windows seeded (100 logs each, 4242 in
    // the newest), plus the one week-svc log posted above if its window is aggregated.
    const logs = Number(await charts.getAttribute('data-logs'));
    expect(logs).toBeGreaterThanOrEqual(10_077 * 100 + 4242);
    expect(logs).toBeLessThanOrEqual(10_079 * 100 + 4242 + 1);
    expect(await charts.locator('.chart-note').textContent()).toMatch(/^one point per (15|30) min; percentiles/);
    expect(await page.locator('.view-service .service-header h2').textContent()).toContain('week-svc');
    await page.goto(`${base}/ui/services/checkout-${run}?range=1h`);
    await page.locator('.view-service .service-alerts li').first().waitFor();
    await page.locator('.view-service figure.chart canvas').first().waitFor();
    await shot('service', true);
    await page.click('nav a[data-tab="services"]');
    await page.locator('tr[data-service="week-svc"]').waitFor();
    // web-shop sent logs after the last closed window: the table says when they will be counted.
    expect(await page.locator('tr[data-service="web-shop"] .closes-in').textContent()).toMatch(/newer, counted in \d+ s/);
    expect(await page.locator('.window-countdown').textContent()).toMatch(/Current window closes in \d+ s/);
    await shot('services', true);
  });

  it('switches to dark mode with the toggle, and / focuses the search box', async () => {
    await page.goto(`${base}/ui/logs?service=web-shop`);
    await page.locator('.log-row').first().waitFor();
    await page.locator('body').press('/');
    expect(await page.evaluate('document.activeElement?.name')).toBe('q');
    await page.locator('.theme-toggle').click(); // system -> light
    await page.locator('.theme-toggle').click(); // light -> dark
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(await page.evaluate('getComputedStyle(document.documentElement).backgroundColor')).not.toBe('rgb(246, 247, 249)');
    await shot('logs-dark', true);
    await page.locator('.theme-toggle').click(); // back to system
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBeUndefined();
  });

  it('ran without a console error', () => {
    // The refusals the tests provoke on purpose: a revoked key (401), a bound key (403), one bad silence (400).
    const provoked = consoleErrors.filter((m) => /status of 400\b/.test(m));
    expect(provoked).toHaveLength(1);
    expect(consoleErrors.filter((m) => !/status of (400|401|403)\b/.test(m))).toEqual([]);
  });
});
