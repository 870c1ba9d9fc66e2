import { ApiError } from '../../src/common/errors/api-error';
import { MAX_JSON_DEPTH, jsonNestingExceeds } from '../../src/common/http/json-depth';
import { ServiceNamePipe } from '../../src/common/http/service-name.pipe';

describe('jsonNestingExceeds', () => {
  const nested = (n: number) => Buffer.from(`${'{"a":['.repeat(n / 2)}1${']}'.repeat(n / 2)}`);

  it('counts objects and arrays together, up to the limit inclusive', () => {
    expect(jsonNestingExceeds(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonNestingExceeds(nested(MAX_JSON_DEPTH + 2))).toBe(true);
    expect(jsonNestingExceeds(Buffer.from('[[[]]]'), 3)).toBe(false);
    expect(jsonNestingExceeds(Buffer.from('[[[[]]]]'), 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonNestingExceeds(Buffer.from(`{"m":"${'['.repeat(500)}"}`))).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(`{"m":"a\\"${'{'.repeat(500)}"}`))).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(`{"m":"a\\\\","n":${'['.repeat(200)}${']'.repeat(200)}}`))).toBe(true);
  });

  it('depth is concurrent nesting, not the number of brackets', () => {
    expect(jsonNestingExceeds(Buffer.from(JSON.stringify({ logs: Array.from({ length: 5000 }, () => ({ metadata: { a: [1] } })) })))).toBe(false);
  });
});

describe('ServiceNamePipe', () => {
  it('admits service names, and * only where the defaults row is meant', () => {
    expect(new ServiceNamePipe().transform('checkout.api-v2_eu')).toBe('checkout.api-v2_eu');
    expect(new ServiceNamePipe(true).transform('*')).toBe('*');
    expect(() => new ServiceNamePipe().transform('*')).toThrow(ApiError);
  });

  it.each(['', 'a\u0000b', 'a b', 'x'.repeat(129), '../etc', 'é'])('refuses %j with 400', (name) => {
    expect(() => new ServiceNamePipe(true).transform(name)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
