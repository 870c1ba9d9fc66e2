import pino from 'pino';
import { QueryFailedError } from 'typeorm';
import { errSerializer, loggableError } from '../../src/common/errors/loggable-error';
import { findNul } from '../../src/common/validation/refuse-nul.pipe';

describe('findNul', () => {
  it('names the first string or key holding a NUL, with [i] for array items', () => {
    expect(findNul({ name: 'ok', config: { to: ['a@x.io', 'b\0@x.io'] } })).toBe('config.to[1]');
    expect(findNul({ config: { headers: { 'X-Key': 'v\0' } } })).toBe('config.headers.X-Key');
    expect(findNul({ config: { ['k\0']: 1 } })).toBe('config.k\0');
    expect(findNul('\0')).toBe('');
    expect(findNul({ name: 'fine', n: 1, b: true, nothing: null, list: [[{ deep: 'x' }]] })).toBeUndefined();
  });
});

describe('loggableError', () => {
  const failed = () => new QueryFailedError('INSERT INTO t (a) VALUES ($1)', ['secret-param'], Object.assign(new Error('boom'), { code: '23514', detail: 'Failing row contains (secret-param).' }));

  it('keeps class, code, message, SQL text and stack; drops parameters and detail', () => {
    const out = loggableError(failed());
    expect(out).toEqual({ type: 'QueryFailedError', message: 'boom', code: '23514', query: 'INSERT INTO t (a) VALUES ($1)', stack: expect.stringContaining('QueryFailedError') });
    expect(JSON.stringify(out)).not.toContain('secret-param');
  });

  it('follows causes (reduced the same way) and never dumps a thrown non-Error', () => {
    const wrapped = new Error('outer', { cause: failed() });
    expect(loggableError(wrapped).cause).toMatchObject({ type: 'QueryFailedError', code: '23514' });
    expect(JSON.stringify(loggableError(wrapped))).not.toContain('secret-param');
    expect(loggableError({ parameters: ['secret-param'] })).toEqual({ type: 'object', message: 'a non-Error value was thrown' });
    expect(loggableError('plain text')).toEqual({ type: 'string', message: 'plain text' });
  });

  it('as the pino serializer: reduces an Error given raw or after pino-http ran pino`s own serializer first', () => {
    expect(JSON.stringify(errSerializer(failed()))).not.toContain('secret-param');
    const std = pino.stdSerializers.err(failed());
    expect(JSON.stringify(std)).toContain('secret-param'); // what pino alone would log
    expect(JSON.stringify(errSerializer(std))).not.toContain('secret-param');
    expect(errSerializer({ note: 'not an error' })).toEqual({ note: 'not an error' });
  });
});
