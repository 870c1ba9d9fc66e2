import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Thrown when another live process holds the embedded data directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | undefined,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another Tracer process${pid ? ` (pid ${pid})` : ''}. ` +
        'Stop it, or point TRACER_DATA_DIR at another directory.',
    );
    this.name = 'DataDirLockedError';
  }
}

const LOCK_NAME = 'tracer.lock';
/** Serializes the removal of a stale lock between processes starting at the same moment. */
const TAKEOVER_NAME = 'tracer.lock.takeover';
/** A takeover marker older than this was left by a process killed inside the (milliseconds-long) takeover. */
const TAKEOVER_STALE_MS = 10_000;
/** sun_path holds 108 bytes on Linux, 104 on macOS; longer directories are reached through a short symlink. */
const MAX_SOCKET_PATH = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const held = new Set<string>();

type Probe = { alive: true; pid?: number } | { alive: false };

/**
 * An exclusive lock on an embedded data directory that cannot outlive its process: the holder listens on
 * a Unix socket `tracer.lock` inside the directory. The kernel closes that socket when the process dies,
 * however it dies, so liveness is a connect(): a listener answers (with its pid) = locked; ECONNREFUSED =
 * the file is a leftover of a dead process and is taken over. Unlike a pid file, this does not mistake a
 * restarted container (whose new process has the old pid, often 1) for the previous holder, and it also
 * refuses a process in another container that mounts the same volume.
 *
 * PGlite does not lock its directory, and two processes writing one would corrupt it.
 */
export class DataDirLock {
  private constructor(
    private readonly dir: string,
    private readonly server: Server,
    private readonly cleanup: () => void,
  ) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    const dir = resolve(dataDir);
    mkdirSync(dir, { recursive: true });
    if (held.has(dir)) throw new DataDirLockedError(dir, process.pid);
    const { base, cleanup } = shortPath(dir);
    try {
      const lock = join(base, LOCK_NAME);
      for (let attempt = 0; attempt < 100; attempt++) {
        const server = await listen(lock);
        if (server) {
          held.add(dir);
          return new DataDirLock(dir, server, cleanup);
        }
        const probe = await probeLock(lock, dir);
        if (probe.alive) throw new DataDirLockedError(dir, probe.pid);
        await removeStaleLock(base, lock, dir);
      }
      throw new Error(`Could not lock ${dir}: it kept changing hands`);
    } catch (e) {
      cleanup();
      throw e;
    }
  }

  /** Stops listening, which removes the socket file; the directory is free for the next process. */
  async release(): Promise<void> {
    if (!held.delete(this.dir)) return;
    await new Promise<void>((r) => this.server.close(() => r()));
    this.cleanup();
  }
}

/** Listens on the lock path; null when the path exists already (a holder, or a stale leftover). */
function listen(path: string): Promise<Server | null> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(`${process.pid}\n`);
    });
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') resolvePromise(null);
      else reject(new Error(`Could not create the lock ${path}: ${e.message} (the data directory must be on a filesystem that supports Unix sockets)`));
    });
    server.listen(path, () => {
      server.unref(); // the lock never keeps the process alive by itself
      resolvePromise(server);
    });
  });
}

/** Connects to the lock: a listener means a live holder (it answers with its pid). */
function probeLock(path: string, dir: string): Promise<Probe> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return Promise.resolve({ alive: false }); // gone meanwhile
  }
  if (!stat.isSocket()) return Promise.resolve(probeLegacyPidFile(path));
  return new Promise((resolvePromise, reject) => {
    const socket = connect(path);
    let data = '';
    let connected = false;
    const done = (probe: Probe) => {
      socket.destroy();
      resolvePromise(probe);
    };
    // Connected but silent: still held (a stopped process, or one whose event loop is busy, e.g. opening
    // PGlite). The wait only delays naming its pid; refusal does not depend on it.
    socket.setTimeout(5000, () => done({ alive: true }));
    socket.on('connect', () => (connected = true));
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('end', () => done({ alive: true, pid: Number.parseInt(data, 10) || undefined }));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (connected) done({ alive: true });
      else if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') done({ alive: false });
      else reject(new Error(`Could not check the lock of ${dir}: ${e.message}`));
    });
  });
}

/** A `tracer.lock` regular file holding a pid was written by an older Tracer; honour it while that pid lives. */
function probeLegacyPidFile(path: string): Probe {
  const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return { alive: false };
  try {
    process.kill(pid, 0);
    return { alive: true, pid };
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? { alive: true, pid } : { alive: false };
  }
}

/**
 * Removes a lock found stale, under a marker file created with O_EXCL: between our probe and the unlink,
 * another process starting at the same moment could have removed the stale file and bound a live one of
 * its own; holding the marker while probing again and unlinking rules that out.
 */
async function removeStaleLock(base: string, lock: string, dir: string): Promise<void> {
  const marker = join(base, TAKEOVER_NAME);
  try {
    closeSync(openSync(marker, 'wx'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(marker).mtimeMs > TAKEOVER_STALE_MS) rmSync(marker, { force: true });
    } catch {
      // removed by its owner meanwhile
    }
    await sleep(20);
    return; // the caller tries again
  }
  try {
    if (!(await probeLock(lock, dir)).alive) rmSync(lock, { force: true });
  } finally {
    rmSync(marker, { force: true });
  }
}

/** A path for `dir` short enough for a socket address: `dir` itself, or a symlink to it in the temp dir. */
function shortPath(dir: string): { base: string; cleanup: () => void } {
  if (join(dir, TAKEOVER_NAME).length <= MAX_SOCKET_PATH) return { base: dir, cleanup: () => undefined };
  const link = join(tmpdir(), `tracer-lock-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  symlinkSync(dir, link, 'dir');
  return { base: link, cleanup: () => rmSync(link, { force: true }) };
}
