import { idRuns, mergeRanges } from '../../src/ingestion/live-tail/live-tail-fanout.service';
import type { NormalizedLog } from '../../src/ingestion/log-entry';
import { validateEntry } from '../../src/ingestion/log-entry.validator';
import { parseIso, toIsoMicros } from '../../src/ingestion/timestamps';
import { LOG_ID_BLOCK, LogIdAllocator } from '../../src/ingestion/log-ids';
import { copyChunks, copyValue } from '../../src/ingestion/log.repository';

describe('LogIdAllocator', () => {
  /** A fake logs_id_seq with INCREMENT BY LOG_ID_BLOCK, counting round trips. */
  function sequence(start = 1) {
    let next = start;
    const calls: number[] = [];
    const reserve = async (blocks: number) => {
      calls.push(blocks);
      return Array.from({ length: blocks }, () => {
        const v = next;
        next += LOG_ID_BLOCK;
        return String(v);
      });
    };
    return { reserve, calls };
  }

  it('numbers rows from one block per reservation, without a round trip while a block lasts', async () => {
    const seq = sequence();
    const ids = new LogIdAllocator(seq.reserve);
    expect(await ids.take(3)).toEqual([1, 2, 3]);
    expect(await ids.take(2)).toEqual([4, 5]);
    expect(seq.calls).toEqual([1]);
  });

  it('reserves as many blocks as a large batch needs, in one round trip, and spans them', async () => {
    const seq = sequence();
    const ids = new LogIdAllocator(seq.reserve);
    await ids.take(LOG_ID_BLOCK - 2);
    const spanning = await ids.take(2 * LOG_ID_BLOCK + 5);
    expect(seq.calls).toEqual([1, 3]);
    expect(spanning[0]).toBe(LOG_ID_BLOCK - 1);
    expect(spanning[1]).toBe(LOG_ID_BLOCK);
    expect(spanning[2]).toBe(LOG_ID_BLOCK + 1);
    expect(new Set(spanning).size).toBe(spanning.length);
    expect(spanning[spanning.length - 1]).toBe(2 * LOG_ID_BLOCK + 5 + LOG_ID_BLOCK - 2);
  });

  it('never hands the same id to concurrent callers', async () => {
    const seq = sequence(1_000_001);
    const ids = new LogIdAllocator(seq.reserve);
    const batches = await Promise.all(Array.from({ length: 20 }, (_, i) => ids.take(700 + i * 37)));
    const all = batches.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(Math.min(...all)).toBeGreaterThanOrEqual(1_000_001);
  });

  it('refuses ids JavaScript could not number exactly', async () => {
    const ids = new LogIdAllocator(async () => [String(Number.MAX_SAFE_INTEGER - 5)]);
    await expect(ids.take(1)).rejects.toThrow(/2\^53/);
  });
});

describe('COPY text format', () => {
  it('escapes exactly backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('plain text, "quotes" and {braces}')).toBe('plain text, "quotes" and {braces}');
    expect(copyValue('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyValue('\\N')).toBe('\\\\N'); // the two characters, not NULL
    expect(copyValue('\\.')).toBe('\\\\.'); // not the end-of-data marker
    expect(copyValue('ünïcødé 🚀')).toBe('ünïcødé 🚀');
  });

  it('writes one line per row, columns in LOG_COLUMNS order, in chunks of whole rows', () => {
    const row = (i: number): NormalizedLog => ({
      timestamp: '2026-11-28T10:15:30.123000Z',
      level: 'info',
      service: 'svc',
      message: `m\t${i}`,
      metadata: i === 0 ? '{"k":"v\\n"}' : null,
      traceId: i === 0 ? 'trace' : null,
      spanId: null,
    });
    const rows = Array.from({ length: 1001 }, (_, i) => row(i));
    const chunks = copyChunks(rows, rows.map((_, i) => 500 + i));
    expect(chunks).toHaveLength(2);
    const lines = chunks.join('').split('\n');
    expect(lines).toHaveLength(1002); // a newline ends every row
    expect(lines[1001]).toBe('');
    expect(lines[0]).toBe('500\t2026-11-28T10:15:30.123000Z\tinfo\tsvc\tm\\t0\t{"k":"v\\\\n"}\ttrace\t\\N');
    expect(lines[1000]).toBe('1500\t2026-11-28T10:15:30.123000Z\tinfo\tsvc\tm\\t1000\t\\N\t\\N\t\\N');
    expect(chunks[1].split('\n')).toHaveLength(2);
  });
});

describe('live-tail announcements', () => {
  it('splits a batch into runs of consecutive ids', () => {
    expect(idRuns([5])).toEqual([[5, 5]]);
    expect(idRuns([1, 2, 3, 10001, 10002])).toEqual([
      [1, 3],
      [10001, 10002],
    ]);
  });

  it('merges overlapping and adjacent ranges in order', () => {
    expect(
      mergeRanges([
        [20, 30],
        [1, 5],
        [6, 9],
        [25, 40],
        [100, 100],
      ]),
    ).toEqual([
      [1, 9],
      [20, 40],
      [100, 100],
    ]);
  });
});

describe('validateEntry timestamps (the minute-at-a-time fast path)', () => {
  const ctx = { limits: { messageBytes: 1000, metadataBytes: 1000 }, now: new Date(), minTime: 0, maxTime: Date.UTC(2100, 0, 1) };
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');

  it('answers exactly as the full ISO parser for canonical-looking strings, valid or not', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 20_000; k++) {
      // Mostly one minute (the cache's case), with impossible days, hours, minutes and seconds mixed in.
      const same = rand(4) > 0;
      const s = same
        ? `2026-11-28T10:15:${pad(rand(62))}.${pad(rand(1000), 3)}Z`
        : `${2024 + rand(4)}-${pad(rand(14))}-${pad(rand(33))}T${pad(rand(26))}:${pad(rand(62))}:${pad(rand(62))}.${pad(rand(1000), 3)}Z`;
      const result = validateEntry({ level: 'info', message: 'm', service: 's', timestamp: s }, 0, ctx);
      const iso = parseIso(s);
      if (iso === null) expect(Array.isArray(result) && result[0].field).toBe('timestamp');
      else expect((result as NormalizedLog).timestamp).toBe(toIsoMicros(iso));
    }
  });
});
