import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertPublicTarget, isForbiddenAddress, OutboundTargetError } from '../../src/alert-channels/outbound/address-guard';
import { OutboundTimeoutError, postOutbound } from '../../src/alert-channels/outbound/safe-http';

describe('outbound safety: address classification', () => {
  it('refuses loopback, private, link-local and reserved IPv4', () => {
    for (const a of ['127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255']) {
      expect([a, isForbiddenAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '93.184.216.34']) expect([a, isForbiddenAddress(a)]).toEqual([a, false]);
  });

  it('refuses IPv6 loopback, ULA, link-local, and IPv6 forms that carry a private IPv4', () => {
    for (const a of ['::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '0:0:0:0:0:ffff:10.0.0.1', '::127.0.0.1', '64:ff9b::10.0.0.1', '2002:7f00:1::']) {
      expect([a, isForbiddenAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::']) expect([a, isForbiddenAddress(a)]).toEqual([a, false]);
  });

  it('refuses anything that is not an IP literal', () => {
    expect(isForbiddenAddress('localhost')).toBe(true);
    expect(isForbiddenAddress('')).toBe(true);
  });
});

describe('outbound safety: URLs at creation', () => {
  const publicDns = async () => ['93.184.216.34'];

  it('normalises numeric host forms and refuses them when private', async () => {
    for (const url of ['http://2130706433/hook', 'http://0x7f.1/hook', 'http://017700000001/hook', 'http://127.1/hook', 'http://[::ffff:127.0.0.1]/hook', 'http://[::1]:8080/', 'http://169.254.169.254/latest/meta-data']) {
      await expect(assertPublicTarget(url, false, publicDns)).rejects.toThrow(OutboundTargetError);
    }
  });

  it('refuses a hostname that resolves to a private address, and accepts a public one', async () => {
    await expect(assertPublicTarget('http://localhost:9/hook', false)).rejects.toThrow(/resolves to a private or loopback address/);
    await expect(assertPublicTarget('https://rebind.example/hook', false, async () => ['93.184.216.34', '127.0.0.1'])).rejects.toThrow(/127\.0\.0\.1/);
    await expect(assertPublicTarget('https://hooks.example/x', false, publicDns)).resolves.toBeInstanceOf(URL);
    await expect(assertPublicTarget('https://nowhere.invalid/x', false, async () => Promise.reject(new Error('ENOTFOUND')))).rejects.toThrow(/could not be resolved/);
  });

  it('refuses other schemes, and allows private targets only when told to', async () => {
    await expect(assertPublicTarget('ftp://example.com/x', true)).rejects.toThrow(/http\(s\)/);
    await expect(assertPublicTarget('not a url', true)).rejects.toThrow(/absolute/);
    await expect(assertPublicTarget('http://127.0.0.1:9/hook', true)).resolves.toBeInstanceOf(URL);
  });
});

describe('outbound safety: at send time', () => {
  let server: http.Server;
  let port: number;
  const hits: string[] = [];
  let reply: (res: http.ServerResponse) => void = (res) => res.end('ok');

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      req.on('end', () => reply(res));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    hits.length = 0;
    reply = (res) => res.end('ok');
  });

  const post = (url: string, allowPrivate: boolean, extra: Partial<Parameters<typeof postOutbound>[0]> = {}) =>
    postOutbound({ url, headers: {}, body: '{}', timeoutMs: 2_000, allowPrivate, ...extra });

  it('refuses a private IP literal without connecting', async () => {
    await expect(post(`http://127.0.0.1:${port}/a`, false)).rejects.toThrow(OutboundTargetError);
    await expect(post(`http://[::ffff:127.0.0.1]:${port}/a`, false)).rejects.toThrow(OutboundTargetError);
    expect(hits).toEqual([]);
  });

  it('refuses a hostname that resolves to 127.0.0.1, judged on the pinned lookup', async () => {
    await expect(post(`http://localhost:${port}/b`, false)).rejects.toThrow(/private or loopback/);
    // A name whose DNS answer is a loopback address (as after a rebinding) never gets a connection.
    const rebinding = ((host: string, _opts: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) =>
      cb(null, [{ address: '127.0.0.1', family: 4 }])) as never;
    await expect(post(`http://tracer-rebind.example:${port}/c`, false, { lookup: rebinding })).rejects.toThrow(/tracer-rebind\.example resolves to a private or loopback address \(127\.0\.0\.1\)/);
    expect(hits).toEqual([]);
  });

  it('judges the address the lookup answered, whatever the name looks like', async () => {
    const reservedAnswer = ((host: string, _opts: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) =>
      cb(null, [{ address: '192.0.2.10', family: 4 }])) as never; // TEST-NET-1, reserved
    await expect(post(`http://docs.example:${port}/d`, false, { lookup: reservedAnswer })).rejects.toThrow(/192\.0\.2\.10/);
  });

  it('delivers to a private target when ALLOW_PRIVATE_WEBHOOKS is on', async () => {
    const res = await post(`http://localhost:${port}/e`, true);
    expect(res.status).toBe(200);
    expect(hits).toEqual(['/e']);
  });

  it('does not follow redirects', async () => {
    reply = (res) => {
      res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data' });
      res.end();
    };
    const res = await post(`http://127.0.0.1:${port}/f`, true);
    expect(res.status).toBe(302);
    expect(hits).toEqual(['/f']);
  });

  it('gives up when the receiver does not answer within the time budget', async () => {
    reply = () => undefined; // never answers
    const started = Date.now();
    await expect(post(`http://127.0.0.1:${port}/g`, true, { timeoutMs: 300 })).rejects.toThrow(OutboundTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
