import { childLevel, levelForStep, periodStartOf, rollupLevels, stepForPoints, uncovered } from '../../src/metrics/rollup-levels';

describe('rollup levels', () => {
  it('uses the levels made of whole windows, each built from the largest level below that divides it', () => {
    expect(rollupLevels(60)).toEqual([900, 1800, 3600, 7200, 14_400, 28_800, 86_400]);
    expect(rollupLevels(3600)).toEqual([7200, 14_400, 28_800, 86_400]);
    expect(rollupLevels(7)).toEqual([]);
    expect(childLevel(900, 60)).toBeNull();
    expect(childLevel(3600, 60)).toBe(1800);
    expect(childLevel(7200, 60)).toBe(3600);
    expect(childLevel(86_400, 60)).toBe(28_800);
    expect(childLevel(7200, 3600)).toBeNull();
  });

  it('reads a step from the coarsest level that divides it', () => {
    expect(levelForStep(3600, 60)).toBe(3600);
    expect(levelForStep(10_800, 60)).toBe(3600);
    expect(levelForStep(2 * 86_400, 60)).toBe(86_400);
    expect(levelForStep(1800, 60)).toBe(1800);
    expect(levelForStep(1200, 60)).toBeNull();
    expect(levelForStep(5400, 60)).toBe(1800);
    expect(levelForStep(600, 60)).toBeNull();
  });

  it('turns points into whole windows below the first level (15 min) and the next level from there', () => {
    const days30 = 30 * 86_400;
    expect(stepForPoints(days30 / 500, 60)).toBe(7200); // 1.44 h -> 2 h: 360 points, one 2 h rollup each
    expect(stepForPoints(7 * 86_400 / 500, 60)).toBe(1800); // 21 windows -> 30 min: 336 points, one rollup each
    expect(stepForPoints(86_400 / 500, 60)).toBe(180); // 3 windows, below the first level
    expect(stepForPoints(86_400, 60)).toBe(86_400);
    expect(stepForPoints(90 * 86_400 / 30, 60)).toBe(3 * 86_400);
    expect(stepForPoints(3590, 60)).toBe(3600);
    expect(stepForPoints(5000, 7)).toBe(5005);
  });

  it('aligns periods to the epoch and finds the ranges that rollups do not cover', () => {
    expect(periodStartOf(Date.UTC(2026, 0, 1, 5, 30), 7200).toISOString()).toBe('2026-01-01T04:00:00.000Z');
    const t = (h: number) => new Date(Date.UTC(2026, 0, 1) + h * 3600_000);
    expect(uncovered(t(0.5), t(5.5), [t(1), t(2), t(4)], 3600)).toEqual([
      { start: t(0.5), end: t(1) },
      { start: t(3), end: t(4) },
      { start: t(5), end: t(5.5) },
    ]);
    expect(uncovered(t(0), t(2), [], 3600)).toEqual([{ start: t(0), end: t(2) }]);
    expect(uncovered(t(0), t(2), [t(0), t(1)], 3600)).toEqual([]);
  });
});
