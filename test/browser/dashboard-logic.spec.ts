import { fetchSeries, MAX_CHART_POINTS, seriesNote, type MetricsReader } from '../../web/src/metric-points';
import { rangeFromParams, rangeToParams, resolveRange } from '../../web/src/ranges';
import { href, parseRoute, pathFromLegacyHash } from '../../web/src/router';

/** The dashboard's pure parts: routes, ranges, and what a chart asks of GET /metrics. */
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

describe('metric points (web/src/metric-points.ts)', () => {
  it('asks the server for one point per two pixels, within what GET /metrics accepts, and keeps its step', async () => {
    const asked: number[] = [];
    const api = {
      listMetrics: async (_s: string, _from: Date, _to: Date, points: number) => {
        asked.push(points);
        return { data: [], stepSeconds: 1800 };
      },
    } satisfies MetricsReader;
    const from = new Date('2026-01-01T00:00:00Z');
    const to = new Date('2026-01-08T00:00:00Z');
    expect(await fetchSeries(api, 's', from, to, 450.5)).toEqual({ points: [], stepSeconds: 1800 });
    await fetchSeries(api, 's', from, to, 5000);
    await fetchSeries(api, 's', from, to, 0);
    expect(asked).toEqual([450, MAX_CHART_POINTS, 1]);
  });

  it('says how long each point is and how its percentiles are made', () => {
    expect(seriesNote(60)).toBe("one point per 1 min; percentiles from the windows' merged latency histograms (within 1 %)");
    expect(seriesNote(1800)).toMatch(/^one point per 30 min;/);
    expect(seriesNote(7200)).toMatch(/^one point per 2 h;/);
    expect(seriesNote(3 * 86_400)).toMatch(/^one point per 3 d;/);
    expect(seriesNote(90)).toMatch(/^one point per 90 s;/);
  });
});
