import type { components } from '../../sdk/src/generated/openapi';
import { downsample, fetchWindows, METRIC_ROWS_CAP, type MetricsReader } from '../../web/src/metric-points';

type MetricWindow = components['schemas']['MetricWindowDto'];
import { rangeFromParams, rangeToParams, resolveRange } from '../../web/src/ranges';
import { href, parseRoute, pathFromLegacyHash } from '../../web/src/router';

/** The dashboard's pure parts: routes, ranges, and the chart's paging and merging of metric windows. */
describe('dashboard routes (web/src/router.ts)', () => {
  it('reads pages, path arguments and parameters', () => {
    expect(parseRoute('/ui/', '')).toEqual({ page: 'services', arg: undefined, params: new URLSearchParams() });
    const r = parseRoute('/ui/alerts/8b6f-1', '?x=1');
    expect([r.page, r.arg, r.params.get('x')]).toEqual(['alerts', '8b6f-1', '1']);
    expect(parseRoute('/ui/services/a%2Fb', '').arg).toBe('a/b');
    expect(parseRoute('/ui/admin/keys', '')).toMatchObject({ page: 'admin', arg: 'keys' });
  });

  it('writes links that read back the same', () => {
    const link = href('logs', undefined, { service: 'checkout', level: 'error,fatal', q: undefined, 'metadata.http.route': '/pay' });
    expect(link).toBe('/ui/logs?service=checkout&level=error%2Cfatal&metadata.http.route=%2Fpay');
    const [path, search] = link.split('?');
    expect(Object.fromEntries(parseRoute(path, `?${search}`).params)).toEqual({ service: 'checkout', level: 'error,fatal', 'metadata.http.route': '/pay' });
    expect(href('services', 'a b')).toBe('/ui/services/a%20b');
  });

  it('turns the old fragment routes into paths, and leaves other fragments alone', () => {
    expect(pathFromLegacyHash('#metrics?service=checkout')).toBe('/ui/metrics?service=checkout');
    expect(pathFromLegacyHash('#logs')).toBe('/ui/logs');
    expect(pathFromLegacyHash('#key=trc_x')).toBeNull();
    expect(pathFromLegacyHash('#nothing')).toBeNull();
  });
});

describe('dashboard ranges (web/src/ranges.ts)', () => {
  it('keeps relative ranges relative in links and resolves them at query time', () => {
    const p = new URLSearchParams('range=1h&from=2026-01-01T00:00:00Z');
    const r = rangeFromParams(p);
    expect(r).toEqual({ relative: '1h' });
    expect(resolveRange(r, Date.parse('2026-01-01T10:00:00Z'))).toEqual({ from: '2026-01-01T09:00:00.000Z', to: '2026-01-01T10:00:00.000Z' });
    const out = new URLSearchParams('service=a');
    rangeToParams({ from: '2026-01-01T00:00:00Z' }, out);
    expect(out.toString()).toBe('service=a&from=2026-01-01T00%3A00%3A00Z');
    expect(rangeFromParams(new URLSearchParams('range=bogus'), '24h')).toEqual({ relative: '24h' });
    expect(rangeFromParams(new URLSearchParams('to=2026-01-02T00:00:00Z'))).toEqual({ from: undefined, to: '2026-01-02T00:00:00Z' });
  });
});

function windows(n: number, startMs: number, over: (i: number) => Partial<MetricWindow> = () => ({})): MetricWindow[] {
  return Array.from({ length: n }, (_, i) => ({
    service: 's',
    windowStart: new Date(startMs + i * 60_000).toISOString(),
    windowEnd: new Date(startMs + (i + 1) * 60_000).toISOString(),
    logCount: 10,
    errorCount: 1,
    warnCount: 2,
    errorRate: 0.1,
    latencyAvg: 5,
    latencyP50: 5,
    latencyP95: 9,
    latencyP99: 12,
    latencyMax: 20,
    ...over(i),
  }));
}

describe('metric points (web/src/metric-points.ts)', () => {
  it('reads past the 10,000-row cap so the newest windows are kept', async () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const all = windows(10_081, start);
    const calls: string[] = [];
    // The server's contract: windows of [from, to), oldest first, at most 10,000.
    const api = {
      listMetrics: async (_s: string, from: Date, to: Date) => {
        calls.push(from.toISOString());
        return { data: all.filter((w) => Date.parse(w.windowStart) >= from.getTime() && Date.parse(w.windowStart) < to.getTime()).slice(0, METRIC_ROWS_CAP) };
      },
    } satisfies MetricsReader;
    const got = await fetchWindows(api, 's', new Date(start), new Date(start + 10_081 * 60_000));
    expect(got).toHaveLength(10_081);
    expect(got[got.length - 1].windowStart).toBe(all[all.length - 1].windowStart);
    expect(new Set(got.map((w) => w.windowStart)).size).toBe(10_081);
    expect(calls).toHaveLength(2);
  });

  it('merges windows into at most the points asked for: counts summed, rate recomputed, worst percentile', () => {
    const ws = windows(10, 0, (i) => ({ logCount: i === 3 ? 100 : 10, errorCount: i === 3 ? 50 : 0, latencyP95: i === 3 ? 900 : 9 }));
    const { points, merged } = downsample(ws, 4);
    expect(merged).toBe(3);
    expect(points).toHaveLength(4);
    expect(points.map((p) => p.logCount)).toEqual([30, 120, 30, 10]);
    expect(points[1].errorRate).toBeCloseTo(50 / 120);
    expect(points[1].latencyP95).toBe(900);
    expect(points[1].windowEnd).toBe(ws[5].windowEnd);
    expect(points[3].windowStart).toBe(ws[9].windowStart);
    expect(downsample(ws, 10).points).toBe(ws);
  });
});
