import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogDto } from '../../src/ingestion/dto/log.dto';
import { freePort } from '../helpers/free-port';
import { getLogs } from '../helpers/logs';
import { asAdmin, createTestApp, type TestApp } from '../helpers/test-app';

const FIXTURES = join(__dirname, '../fixtures');
/** The daemons that were present and tested. */
const ran: string[] = [];


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
 * in the foreground with the configurations the README gives, forwarding RFC 5424 messages to the real
 * app's POST /_bulk with an ingest key as the Basic-auth password. Checks what was stored.
 */
describe.each([
  {
    name: 'syslog-ng elasticsearch-http()',
    binary: 'syslog-ng',
    args: (dir: string) => ['-F', '-e', '--no-caps', '-f', join(FIXTURES, 'syslog-ng-tracer.conf'), `--persist-file=${dir}/persist`, `--pidfile=${dir}/pid`, `--control=${dir}/ctl`],
    env: (url: URL, key: string, port: number) => ({ TRACER_URL: url.origin, TRACER_KEY: key, SYSLOG_PORT: String(port) }),
  },
  {
    name: 'rsyslog omelasticsearch',
    binary: 'rsyslogd',
    args: (dir: string) => ['-n', '-f', join(FIXTURES, 'rsyslog-tracer.conf'), '-i', `${dir}/pid`],
    env: (url: URL, key: string, port: number, dir = '') => ({ TRACER_HOST: url.hostname, TRACER_PORT: url.port, TRACER_KEY: key, SYSLOG_PORT: String(port), WORK_DIR: dir }),
  },
])('$name into the real app', ({ binary, args, env }) => {
  let daemon: ChildProcess | undefined;
  let dir = '';
  let t: TestApp | undefined;
  afterAll(async () => {
    daemon?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  // Debian's syslog-ng and rsyslog conflict (both are the system log daemon): a machine has one of them.
  // .ci/run installs rsyslog; the test below checks that at least one ran.
  const installed = spawnSync(binary, ['-v']).error === undefined;
  (installed ? it : it.skip)(
    'forwards messages that are stored with service, level, message, timestamp and metadata',
    async () => {
      ran.push(binary);
      t = await createTestApp();
      await t.app.listen(0, '127.0.0.1');
      const app = t;
      const url = new URL(`http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`);
      const key = (await app.http.post('/api-keys').set(asAdmin).send({ name: binary, scopes: ['ingest'] }).expect(201)).body.key as string;
      const stored = async (service: string): Promise<LogDto[]> => (await getLogs(app.http, { service, limit: 10 })).data;

      dir = mkdtempSync(join(tmpdir(), `tracer-${binary}-`));
      chmodSync(dir, 0o777);
      const port = await freePort();
      const argv = args(dir);
      // As root (CI containers), drop to nobody: the configuration must work unprivileged.
      const [cmd, full] = process.getuid?.() === 0 ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', binary, ...argv]] : [binary, argv];
      daemon = spawn(cmd, full, { env: { PATH: process.env.PATH, ...env(url, key, port, dir) }, stdio: 'pipe' });
      let output = '';
      daemon.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      daemon.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      const socket = await connectWhenUp(port, daemon, () => output);
      const sent = `${new Date(Date.now() - 60_000).toISOString().slice(0, 23)}456Z`; // with microseconds
      socket.end(
        `<11>1 ${sent} web01 billing 4242 - - invoice 7 failed\n` + // user.err
          `<14>1 ${new Date().toISOString()} web01 cron 17 - - nightly job done\n`, // user.info
      );
      for (const end = Date.now() + 20_000; (await stored('cron')).length + (await stored('billing')).length < 2; ) {
        if (Date.now() > end) throw new Error(`the daemon stored nothing within 20 s: ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const [billing] = await stored('billing');
      const [cron] = await stored('cron');
      expect([billing, cron].map((l) => [l.service, l.level, l.message])).toEqual([
        ['billing', 'error', 'invoice 7 failed'],
        ['cron', 'info', 'nightly job done'],
      ]);
      expect(billing.timestamp).toBe(sent);
      expect(billing.metadata).toMatchObject({ host: 'web01', facility: 'user' });
    },
    60_000,
  );
});

describe('syslog daemons', () => {
  it('at least one of syslog-ng and rsyslog is installed and was tested (.ci/run installs rsyslog)', () => {
    expect(ran.length).toBeGreaterThan(0);
  });
});
