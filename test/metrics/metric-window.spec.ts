import { addWindows, historyStart, isCaughtUp, isDue, lastDueWindow, windowsOf, windowStartOf } from '../../src/metrics/metric-window';

describe('window arithmetic', () => {
  const t = (s: string) => new Date(s);

  it('aligns windows to the epoch by the log timestamp', () => {
    expect(windowStartOf(t('2026-01-01T10:00:59.999Z'), 60)).toEqual(t('2026-01-01T10:00:00Z'));
    expect(windowStartOf(t('2026-01-01T10:01:00Z'), 60)).toEqual(t('2026-01-01T10:01:00Z'));
    expect(windowStartOf(t('2026-01-01T10:07:31Z'), 300)).toEqual(t('2026-01-01T10:05:00Z'));
    expect(addWindows(t('2026-01-01T10:00:00Z'), -2, 60)).toEqual(t('2026-01-01T09:58:00Z'));
  });

  it('a window is due once it ended plus the lateness', () => {
    const w = t('2026-01-01T10:00:00Z');
    expect(isDue(w, t('2026-01-01T10:01:09Z'), 60, 10)).toBe(false);
    expect(isDue(w, t('2026-01-01T10:01:10Z'), 60, 10)).toBe(true);
    expect(lastDueWindow(t('2026-01-01T10:01:10Z'), 60, 10)).toEqual(w);
    expect(lastDueWindow(t('2026-01-01T10:01:09Z'), 60, 10)).toEqual(t('2026-01-01T09:59:00Z'));
  });

  it('a window processed long after it was due is a catch-up', () => {
    const w = t('2026-01-01T10:00:00Z');
    expect(isCaughtUp(w, t('2026-01-01T10:01:15Z'), 60, 10)).toBe(false);
    expect(isCaughtUp(w, t('2026-01-01T10:03:11Z'), 60, 10)).toBe(true);
  });

  it('lists the distinct windows of timestamps', () => {
    expect(windowsOf([t('2026-01-01T10:00:05Z'), t('2026-01-01T09:59:59Z'), t('2026-01-01T10:00:50Z')], 60)).toEqual([
      t('2026-01-01T09:59:00Z'),
      t('2026-01-01T10:00:00Z'),
    ]);
  });
});

describe('baseline history bound', () => {
  const t = (s: string) => new Date(s);

  it('spans twice the baseline windows before the window', () => {
    expect(historyStart(t('2026-01-01T10:00:00Z'), 20, [], 60)).toEqual(t('2026-01-01T09:20:00Z'));
  });

  it('reaches back past excluded incident windows, an open one included', () => {
    const before = t('2026-01-01T10:00:00Z');
    // an open incident since 09:30 (30 windows) and a resolved one 09:00..09:09 (reached once pushed back)
    const start = historyStart(before, 20, [
      { from: t('2026-01-01T09:30:00Z'), to: null },
      { from: t('2026-01-01T09:00:00Z'), to: t('2026-01-01T09:09:00Z') },
    ], 60);
    // 40 windows + 31 (open incident) + 10 (resolved incident) = 81 windows before 10:00
    expect(start).toEqual(t('2026-01-01T08:39:00Z'));
  });
});
