import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bulkResponse } from '../../src/ingestion/formats/es-bulk-response';
import { esBulkDecoder, type BulkBatch } from '../../src/ingestion/formats/es-bulk.decoder';
import { validateEntry } from '../../src/ingestion/log-entry.validator';
import type { NormalizedLog } from '../../src/ingestion/log-entry';
import { captureServer } from './capture-server';
import { LIMITS } from './limits';

const CONFIG = join(__dirname, '../fixtures/syslog-ng-tracer.conf');

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * Debian's syslog-ng (installed by .ci/run), unprivileged and in the foreground with the config the
 * README gives, forwarding RFC 5424 messages through its elasticsearch-http() destination to a local
 * server that answers with Tracer's bulk decoder and response. Checks what Tracer would store.
 */
describe('syslog-ng elasticsearch-http() into the bulk decoder', () => {
  let daemon: ChildProcess | undefined;
  let dir: string;
  afterAll(() => {
    daemon?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('forwards local messages that decode to service, level, message, timestamp and metadata', async () => {
    expect(spawnSync('syslog-ng', ['--version']).status).toBe(0); // apt-get install syslog-ng-core syslog-ng-mod-http syslog-ng-scl
    const stored: NormalizedLog[] = [];
    const srv = await captureServer((req, res) => {
      const batch: BulkBatch = esBulkDecoder()(req.body, req.headers['content-type'], LIMITS);
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
      dir = mkdtempSync(join(tmpdir(), 'tracer-syslog-ng-'));
      chmodSync(dir, 0o777);
      const port = await freePort();
      const args = ['-F', '-e', '--no-caps', '-f', CONFIG, `--persist-file=${dir}/persist`, `--pidfile=${dir}/pid`, `--control=${dir}/ctl`];
      // As root (CI containers), drop to nobody: the config must work unprivileged.
      const [cmd, argv] = process.getuid?.() === 0 ? ['setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'syslog-ng', ...args]] : ['syslog-ng', args];
      daemon = spawn(cmd as string, argv as string[], { env: { PATH: process.env.PATH, TRACER_URL: srv.url, TRACER_KEY: 'trc_syslog-key', SYSLOG_PORT: String(port) }, stdio: 'pipe' });
      let output = '';
      daemon.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      const deadline = Date.now() + 15_000;
      while (!output.includes('syslog-ng starting up')) {
        if (Date.now() > deadline || daemon.exitCode !== null) throw new Error(`syslog-ng did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const socket = connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      const sent = `${new Date(Date.now() - 60_000).toISOString().slice(0, 23)}456Z`; // microseconds
      socket.end(
        `<11>1 ${sent} web01 billing 4242 - - invoice 7 failed\n` + // user.err
          `<14>1 ${new Date().toISOString()} web01 cron 17 - - nightly job done\n`, // user.info
      );
      const [req] = await srv.waitFor(1, 15_000);
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from('syslog-ng:trc_syslog-key').toString('base64')}`);
      expect(req.headers['content-type']).toBe('application/x-ndjson');
      for (const end = Date.now() + 15_000; stored.length < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      expect(stored.map((l) => [l.service, l.level, l.message])).toEqual([
        ['billing', 'error', 'invoice 7 failed'],
        ['cron', 'info', 'nightly job done'],
      ]);
      expect(stored[0].timestamp).toBe(sent);
      expect(JSON.parse(stored[0].metadata!)).toEqual({ host: 'web01', pid: '4242', facility: 'user' });
    } finally {
      await srv.close();
    }
  });
});
