import { metadataShapes } from '../../src/ingestion/log-search.repository';
import { MIN_SLICE_MS, planSlices, SliceInterrupted, walkSlices, type Slice } from '../../src/ingestion/search-slices';

const H = 3_600_000;
const anchor = Date.parse('2026-12-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('planSlices', () => {
  it('grows 1 h, 4 h, 16 h, ... back from the anchor and ends at the lower bound, leaving no gap', () => {
    expect(planSlices(anchor, anchor - 30 * H)).toEqual([
      { from: iso(anchor - H), to: undefined, widthMs: H },
      { from: iso(anchor - 5 * H), to: iso(anchor - H), widthMs: 4 * H },
      { from: iso(anchor - 21 * H), to: iso(anchor - 5 * H), widthMs: 16 * H },
      { from: undefined, to: iso(anchor - 21 * H), widthMs: 64 * H },
    ]);
  });

  it('continues with the width a partial search had reached', () => {
    expect(planSlices(anchor, anchor - 30 * H, 16 * H)).toEqual([
      { from: iso(anchor - 16 * H), to: undefined, widthMs: 16 * H },
      { from: undefined, to: iso(anchor - 16 * H), widthMs: 64 * H },
    ]);
  });

  it('is one slice when the range is within the first hour', () => {
    expect(planSlices(anchor, anchor - 30 * 60_000)).toEqual([{ from: undefined, to: undefined, widthMs: H }]);
  });

  it('stays a handful of slices over years', () => {
    const slices = planSlices(anchor, anchor - 3 * 365 * 24 * H);
    expect(slices.length).toBeLessThanOrEqual(9);
    for (let i = 1; i < slices.length; i++) expect(slices[i].to).toBe(slices[i - 1].from);
  });
});

describe('walkSlices', () => {
  const slices: Slice[] = [
    { from: 'c', to: undefined, widthMs: 1 },
    { from: 'b', to: 'c', widthMs: 4 },
    { from: undefined, to: 'b', widthMs: 16 },
  ];
  const rowsOf: Record<string, number[]> = { c: [9, 8], b: [7], '': [6, 5, 4] };
  const run = async (s: Slice, want: number) => rowsOf[s.from ?? ''].slice(0, want);

  it('stops at the first slice that fills the page', async () => {
    const seen: string[] = [];
    const r = await walkSlices(slices, async (s, want) => (seen.push(s.from ?? ''), run(s, want)), { want: 3, budgetMs: 10_000 });
    expect(r).toEqual({ rows: [9, 8, 7], complete: true, searchedFrom: null });
    expect(seen).toEqual(['c', 'b']);
  });

  it('walks every slice when the page does not fill', async () => {
    expect(await walkSlices(slices, run, { want: 100, budgetMs: 10_000 })).toEqual({ rows: [9, 8, 7, 6, 5, 4], complete: true, searchedFrom: null });
  });

  it('stops when the budget is spent, saying how far back the rows are complete', async () => {
    let t = 0;
    const slow = async (s: Slice, want: number) => ((t += 600), run(s, want));
    const r = await walkSlices(slices, slow, { want: 100, budgetMs: 1000, now: () => t });
    expect(r).toEqual({ rows: [9, 8, 7], complete: false, searchedFrom: 'b', nextWidthMs: 16 });
  });

  it('gives each slice the remaining budget, never less than MIN_SLICE_MS', async () => {
    let t = 0;
    const timeouts: number[] = [];
    await walkSlices(slices, async (s, want, timeoutMs) => (timeouts.push(timeoutMs), (t += 900), run(s, want)), { want: 100, budgetMs: 1000, now: () => t });
    expect(timeouts).toEqual([1000, MIN_SLICE_MS]);
  });

  it('counts an interrupted slice as not searched', async () => {
    const r = await walkSlices(slices, async (s, want) => {
      if (s.from === 'b') throw new SliceInterrupted('timeout');
      return run(s, want);
    }, { want: 100, budgetMs: 10_000 });
    expect(r).toEqual({ rows: [9, 8], complete: false, searchedFrom: 'c', nextWidthMs: 4 });
    const first = await walkSlices(slices, async () => { throw new SliceInterrupted('timeout'); }, { want: 100, budgetMs: 10_000 });
    expect(first).toMatchObject({ rows: [], complete: false, searchedFrom: null });
  });

  it('stops before the next slice once the client went away', async () => {
    const gone = new AbortController();
    const r = await walkSlices(slices, async (s, want) => (gone.abort(), run(s, want)), { want: 100, budgetMs: 10_000, signal: gone.signal });
    expect(r).toMatchObject({ rows: [9, 8], complete: false, searchedFrom: 'c' });
  });

  it('passes other errors on', async () => {
    await expect(walkSlices(slices, async () => { throw new Error('boom'); }, { want: 1, budgetMs: 10 })).rejects.toThrow('boom');
  });
});

describe('metadataShapes', () => {
  it('covers the string and the JSON the value spells, under the key and along the dotted path', () => {
    expect(metadataShapes('user', 'u1')).toEqual(['{"user":"u1"}']);
    expect(metadataShapes('http.status', '500')).toEqual([
      '{"http.status":"500"}',
      '{"http":{"status":"500"}}',
      '{"http.status":500}',
      '{"http":{"status":500}}',
    ]);
    expect(metadataShapes('ok', 'true')).toEqual(['{"ok":"true"}', '{"ok":true}']);
  });

  it('keeps big numbers as text so PostgreSQL reads them exactly', () => {
    expect(metadataShapes('n', '12345678901234567890')).toContain('{"n":12345678901234567890}');
  });

  it('gives no prefilter where containment cannot express the match', () => {
    expect(metadataShapes('o', '{"a": 1}')).toEqual([]);
    expect(metadataShapes('k', 'x\uD800')).toEqual([]);
  });
});
