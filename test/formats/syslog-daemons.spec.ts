import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bulkResponse } from '../../src/ingestion/formats/es-bulk-response';
import { esBulkDecoder } from '../../src/ingestion/formats/es-bulk.decoder';
import type { NormalizedLog } from '../../src/ingestion/log-entry';
import { validateEntry } from '../../src/ingestion/log-entry.validator';
import { captureServer, type CapturedRequest } from './capture-server';
import { LIMITS } from './limits';

const FIXTURES = join(__dirname, '../fixtures');
/** The daemons that were present and tested. */
const ran: string[] = [];

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Connects once the daemon listens (it opens its port after reading the config). */
async function connectWhenUp(port: number, daemon: ChildProcess, output: () => string): Promise<Socket> {
  for (const end = Date.now() + 15_000; ; ) {
    if (daemon.exitCode !== null || Date.now() > end) throw new Error(`the daemon did not start: ${output()}`);
    const socket = connect(port, '127.0.0.1');
    const ok = await new Promise<boolean>((r) => {
      socket.once('connect', () => r(true));
      socket.once('error', () => r(false));
    });
    if (ok) return socket;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Debian's syslog daemons (installed by .ci/run), unprivileged (as nobody when the tests run as root) and
 * in the foreground with the configurations the README gives, forwarding RFC 5424 messages to a local
 * server that answers with Tracer's bulk decoder, validation and bulk response. Checks what would be stored.
 */
describe.each([
  {
    name: 'syslog-ng elasticsearch-http()',
    binary: 'syslog-ng',
    args: (dir: string) => ['-F', '-e', '--no-caps', '-f', join(FIXTURES, 'syslog-ng-tracer.conf'), `--persist-file=${dir}/persist`, `--pidfile=${dir}/pid`, `--control=${dir}/ctl`],
    env: (url: URL, port: number) => ({ TRACER_URL: url.origin, TRACER_KEY: 'trc_syslog-key', SYSLOG_PORT: String(port) }),
    user: 'syslog-ng',
    contentType: 'application/x-ndjson',
  },
  {
    name: 'rsyslog omelasticsearch',
    binary: 'rsyslogd',
    args: (dir: string) => ['-n', '-f', join(FIXTURES, 'rsyslog-tracer.conf'), '-i', `${dir}/pid`],
    env: (url: URL, port: number, dir = '') => ({ TRACER_HOST: url.hostname, TRACER_PORT: url.port, TRACER_KEY: 'trc_syslog-key', SYSLOG_PORT: String(port), WORK_DIR: dir }),
    user: 'rsyslog',
    contentType: 'application/json; charset=utf-8',
  },
])('$name into the bulk decoder', ({ binary, args, env, user, contentType }) => {
  let daemon: ChildProcess | undefined;
  let dir = '';
  afterAll(() => {
    daemon?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Debian's syslog-ng and rsyslog conflict (both are the system log daemon): a machine has one of them.
  // .ci/run installs rsyslog; the test below checks that at least one ran.
  const installed = spawnSync(binary, ['-v']).error === undefined;
  (installed ? it : it.skip)('forwards messages that decode to service, level, message, timestamp and metadata', async () => {
    ran.push(binary);
    const stored: NormalizedLog[] = [];
    const srv = await captureServer((req: CapturedRequest, res) => {
      const batch = esBulkDecoder()(req.body, req.headers['content-type'], LIMITS);
      const ctx = { limits: { messageBytes: 32768, metadataBytes: 16384 }, now: new Date(), minTime: Date.now() - 86_400_000, maxTime: Date.now() + 600_000 };
      const errors = batch.entries.flatMap((e, i) => {
        const r = validateEntry(e, i, ctx);
        if (Array.isArray(r)) return r;
        stored.push(r);
        return [];
      });
      res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' }).end(JSON.stringify(bulkResponse(batch, errors, 1)));
    });
    try {
      dir = mkdtempSync(join(tmpdir(), `tracer-${binary}-`));
      chmodSync(dir, 0o777);
      const port = await freePort();
      const argv = args(dir);
      // As root (CI containers), drop to nobody: the configuration must work unprivileged.
      const [cmd, full] = process.getuid?.() === 0 ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', binary, ...argv]] : [binary, argv];
      daemon = spawn(cmd, full, { env: { PATH: process.env.PATH, ...env(new URL(srv.url), port, dir) }, stdio: 'pipe' });
      let output = '';
      daemon.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      daemon.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      const socket = await connectWhenUp(port, daemon, () => output);
      const sent = `${new Date(Date.now() - 60_000).toISOString().slice(0, 23)}456Z`; // with microseconds
      socket.end(
        `<11>1 ${sent} web01 billing 4242 - - invoice 7 failed\n` + // user.err
          `<14>1 ${new Date().toISOString()} web01 cron 17 - - nightly job done\n`, // user.info
      );
      for (const end = Date.now() + 15_000; stored.length < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      const [req] = srv.requests;
      expect(req.url).toBe('/_bulk');
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${user}:trc_syslog-key`).toString('base64')}`);
      expect(req.headers['content-type']).toBe(contentType);
      expect(stored.map((l) => [l.service, l.level, l.message])).toEqual([
        ['billing', 'error', 'invoice 7 failed'],
        ['cron', 'info', 'nightly job done'],
      ]);
      expect(stored[0].timestamp).toBe(sent);
      expect(JSON.parse(stored[0].metadata!)).toMatchObject({ host: 'web01', facility: 'user' });
    } finally {
      await srv.close();
    }
  });
});

describe('syslog daemons', () => {
  it('at least one of syslog-ng and rsyslog is installed and was tested (.ci/run installs rsyslog)', () => {
    expect(ran.length).toBeGreaterThan(0);
  });
});
