import { decodeCursor as decodeAlertCursor, encodeCursor as encodeAlertCursor } from '../../src/anomalies/alerts/alerts.service';
import { ServiceScope, parseServiceFilter } from '../../src/common/auth/service-scope';
import type { Principal } from '../../src/common/auth/scopes.decorator';
import type { ApiError } from '../../src/common/errors/api-error';
import { isBigintId, MAX_QUERY_TIME_MS, parseQueryTime, parseStoredTime } from '../../src/common/http/query-bounds';
import { decodeCursor, encodeCursor } from '../../src/ingestion/log-cursor';
import { seededRandom } from '../helpers/seed-logs';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function status(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return (e as ApiError).getStatus();
  }
}

describe('query timestamps', () => {
  it('accepts ISO 8601 and epoch milliseconds within 1970..9999', () => {
    expect(parseQueryTime('2026-11-28T10:15:30.123456Z')).toEqual({ ms: Date.UTC(2026, 10, 28, 10, 15, 30, 123), micros: 456 });
    expect(parseQueryTime('1764324930123.5')).toEqual({ ms: 1764324930123, micros: 500 });
    expect(parseQueryTime('0')).toEqual({ ms: 0, micros: 0 });
    expect(parseQueryTime('9999-12-31T23:59:59.999Z')?.ms).toBe(MAX_QUERY_TIME_MS);
  });

  it.each([
    '9000000000000000', '253402300800000', '99999999999999999999', '-1', '1e308', 'NaN', '', ' ', '0x10',
    '2026-13-01T00:00:00Z', '2026-02-31T00:00:00Z', '2026-01-01T24:00:00Z', '9999-12-31T23:59:59-23:59',
    '10000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '1969-12-31T23:59:59Z', 'yesterday',
  ])('refuses %p', (text) => {
    expect(parseQueryTime(text)).toBeNull();
  });

  it('reads PostgreSQL timestamptz text', () => {
    expect(parseStoredTime('2026-11-28 00:09:00.123456+00')).toEqual({ ms: Date.UTC(2026, 10, 28, 0, 9, 0, 123), micros: 456 });
    expect(parseStoredTime('2026-11-28 05:39:00+05:30')?.ms).toBe(Date.UTC(2026, 10, 28, 0, 9));
    expect(parseStoredTime('2026-99-28 00:09:00+00')).toBeNull();
  });
});

describe('bigint ids', () => {
  it('fit PostgreSQL bigint or are refused', () => {
    expect(isBigintId('1')).toBe(true);
    expect(isBigintId('9223372036854775807')).toBe(true);
    for (const bad of ['9223372036854775808', '99999999999999999999', '0', '-1', '01', '1.0', '', ' 1', 7]) expect(isBigintId(bad)).toBe(false);
  });
});

describe('cursors', () => {
  it('a log cursor round-trips; every tampered one is a 400 naming cursor', () => {
    const c = { ts: '2026-11-28T10:15:30.123456Z', id: '42' };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    const tampered = [
      b64(['9999-99-99T99:99:99.999999Z', '1']), b64(['2026-11-28T10:15:30.123456Z', '9223372036854775808']),
      b64(['2026-11-28T10:15:30Z', '1']), b64(['+275760-09-13T00:00:00.000000Z', '1']), b64(['2026-11-28T10:15:30.123456Z', 1]),
      b64(['2026-11-28T10:15:30.123456Z', '1', 'x']), b64({ ts: 'x' }), b64('[]'), b64('null'), 'not base64!!', 'x'.repeat(300),
    ];
    for (const text of tampered) {
      try {
        decodeCursor(text);
        throw new Error(`accepted ${text}`);
      } catch (e) {
        expect((e as ApiError).getResponse()).toMatchObject({ statusCode: 400, details: [{ field: 'cursor' }] });
      }
    }
  });

  it('random bytes never decode to a cursor that could reach PostgreSQL unchecked', () => {
    const rand = seededRandom(42);
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 60) }, () => Math.floor(rand() * 256)));
      expect(status(() => decodeCursor(bytes.toString('base64url')))).toBe(400);
      expect(status(() => decodeAlertCursor(bytes.toString('base64url')))).toBe(400);
    }
  });

  it('an alert cursor round-trips; a bad date or id is a 400', () => {
    const a = { openedAtText: '2026-11-28 00:09:00.123456+00', id: '00000000-0000-4000-8000-000000000001' };
    expect(decodeAlertCursor(encodeAlertCursor(a))).toEqual({ openedAt: a.openedAtText, id: a.id });
    expect(status(() => decodeAlertCursor(b64(['2026-99-28 00:09:00+00', a.id])))).toBe(400);
    expect(status(() => decodeAlertCursor(b64(['20260-11-28 00:09:00+00', a.id])))).toBe(400);
    expect(status(() => decodeAlertCursor(b64([a.openedAtText, 'not-a-uuid'])))).toBe(400);
  });
});

describe('ServiceScope', () => {
  const bound: Principal = { keyId: 'k', name: 'k', scopes: ['read'], service: 'checkout' };
  const free: Principal = { ...bound, service: null };

  it('refuses blank filters instead of dropping them', () => {
    for (const raw of ['', ' ', ',', 'a,', ',a', 'a,,b', ['a', ''], [' '], 'bad name', 'x'.repeat(129), { a: 1 }]) {
      expect([raw, status(() => parseServiceFilter(raw))]).toEqual([raw, 400]);
    }
    expect(parseServiceFilter(['a,b', 'b '])).toEqual(['a', 'b']);
    expect(parseServiceFilter(undefined)).toBeUndefined();
  });

  it('narrows a bound key to its service; another service is 403', () => {
    expect(ServiceScope.resolve(bound, undefined).services).toEqual(['checkout']);
    expect(ServiceScope.resolve(bound, 'checkout').service).toBe('checkout');
    expect(status(() => ServiceScope.resolve(bound, 'billing'))).toBe(403);
    expect(status(() => ServiceScope.resolve(bound, 'checkout,billing'))).toBe(403);
    expect(status(() => ServiceScope.resolve(bound, ''))).toBe(400);
    const s = ServiceScope.resolve(bound, undefined);
    expect(s.allows('checkout')).toBe(true);
    expect(s.allows('billing')).toBe(false);
    expect(status(() => s.assertAllows('billing'))).toBe(403);
  });

  it('lets an unbound key read what it asks for, or everything', () => {
    expect(ServiceScope.resolve(free, undefined).services).toBeUndefined();
    expect(ServiceScope.resolve(null, 'a,b').services).toEqual(['a', 'b']);
    expect(status(() => ServiceScope.resolve(free, 'a,b').service)).toBe(400);
    expect(ServiceScope.resolve(free, undefined).allows('anything')).toBe(true);
  });
});
