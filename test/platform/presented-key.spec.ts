import type { Request } from 'express';
import { presentedKey } from '../../src/common/auth/auth.guard';

const KEY = 'trc_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd';
const req = (headers: Record<string, string>) => ({ headers }) as unknown as Request;
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('presentedKey: credentials the way shippers and logger libraries send them', () => {
  it.each([
    ['Bearer', { authorization: `Bearer ${KEY}` }, KEY],
    ['bearer, any case, trailing space', { authorization: `bearer ${KEY} ` }, KEY],
    ['X-API-Key', { 'x-api-key': ` ${KEY} ` }, KEY],
    ['Basic with the key as password (Promtail, Fluent Bit)', { authorization: `Basic ${b64(`tracer:${KEY}`)}` }, KEY],
    ['Basic with an empty username', { authorization: `Basic ${b64(`:${KEY}`)}` }, KEY],
    ['Basic with the key as username and no password', { authorization: `Basic ${b64(`${KEY}:`)}` }, KEY],
    ['Basic whose password contains a colon', { authorization: `Basic ${b64('u:a:b')}` }, 'a:b'],
    ['ApiKey with the raw key (client given a string)', { authorization: `ApiKey ${KEY}` }, KEY],
    ['ApiKey base64(id:api_key) (client given { id, api_key })', { authorization: `ApiKey ${b64(`tracer:${KEY}`)}` }, KEY],
    ['ApiKey that is neither a Tracer key nor id:key is passed on as is', { authorization: 'ApiKey c29tZXRoaW5n' }, 'c29tZXRoaW5n'],
  ])('%s', (_name, headers, expected) => {
    expect(presentedKey(req(headers))).toBe(expected);
  });

  it('is exactly what the official Elastic client sends, for both forms of apiKey and for username/password', () => {
    // The function @elastic/transport's connections run on the client's `auth` option.
    const { prepareHeaders } = require('@elastic/transport/lib/connection/BaseConnection');
    for (const auth of [{ apiKey: KEY }, { apiKey: { id: 'my-id', api_key: KEY } }, { username: 'elastic', password: KEY }]) {
      const { authorization } = prepareHeaders({}, auth);
      expect(presentedKey(req({ authorization }))).toBe(KEY);
    }
  });

  it.each([
    ['no header', {}],
    ['an unknown scheme', { authorization: `Token ${KEY}` }],
    ['Basic that is not base64', { authorization: 'Basic not*base64' }],
    ['Basic without a colon', { authorization: `Basic ${b64('justtext')}` }],
    ['Basic with neither user nor password', { authorization: `Basic ${b64(':')}` }],
    ['a blank X-API-Key', { 'x-api-key': '  ' }],
  ])('finds no key with %s', (_name, headers) => {
    expect(presentedKey(req(headers as Record<string, string>))).toBeUndefined();
  });
});
