import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port for a process the test starts itself (a Tracer child process, a syslog daemon) that must listen on
 * a number known in advance.
 *
 * It is taken *below* the kernel's ephemeral range: a port found with `listen(0)` and closed again sits in
 * that range, where every `listen(0)` of a parallel test and every outgoing connection's local port can take
 * it before the child binds it (CI saw `EADDRINUSE` that way). Below the range only other callers of this
 * function compete, and each Jest worker draws from its own slice of it.
 */
export async function freePort(): Promise<number> {
  const ephemeralLow = ephemeralRangeStart();
  const low = 10_000;
  const slices = 16;
  const width = Math.floor((ephemeralLow - low) / slices);
  const worker = Number(process.env.JEST_WORKER_ID ?? 1) % slices;
  const start = low + worker * width;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = start + ((next++ * 7919 + process.pid) % width);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${start}..${start + width - 1}`);
}

let next = Math.floor(Math.random() * 1000);

function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 12_000) return low;
  } catch {
    // not Linux: use the IANA range's start
  }
  return 49_152;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
