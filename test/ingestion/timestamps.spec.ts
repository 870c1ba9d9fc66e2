import { fromEpochMs, parseIso, toIsoMicros } from '../../src/ingestion/timestamps';

describe('timestamps with microseconds', () => {
  it.each([
    ['2026-11-28T10:15:30Z', '2026-11-28T10:15:30.000000Z'],
    ['2026-11-28T10:15:30.1Z', '2026-11-28T10:15:30.100000Z'],
    ['2026-11-28T10:15:30.123456Z', '2026-11-28T10:15:30.123456Z'],
    ['2026-11-28T10:15:30.123456789Z', '2026-11-28T10:15:30.123456Z'],
    ['2026-11-28T12:15:30.000001+02:00', '2026-11-28T10:15:30.000001Z'],
    ['2026-11-28T05:45:30-0430', '2026-11-28T10:15:30.000000Z'],
    ['2026-11-28 10:15:30', '2026-11-28T10:15:30.000000Z'],
    ['2026-11-28T10:15', '2026-11-28T10:15:00.000000Z'],
  ])('parses %s', (text, expected) => {
    expect(toIsoMicros(parseIso(text)!)).toBe(expected);
  });

  it.each(['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-28T24:00:00Z', 'yesterday', '0000-01-01T00:00:00Z', '2026-11-28T10:15:30+25:00'])(
    'refuses %s',
    (text) => {
      expect(parseIso(text)).toBeNull();
    },
  );

  it('reads epoch milliseconds, fractions as microseconds', () => {
    expect(toIsoMicros(fromEpochMs(1795824000123.456)!)).toBe('2026-11-28T00:00:00.123456Z');
    expect(toIsoMicros(fromEpochMs(0)!)).toBe('1970-01-01T00:00:00.000000Z');
    expect(fromEpochMs(-1)).toBeNull();
    expect(fromEpochMs(Number.NaN)).toBeNull();
  });
});
