import { request as httpRequest, type ClientRequest } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** From the request's start to the end of the answer. */
  ms: number;
  /** From the moment the whole request body was handed to the socket to the end of the answer. */
  msAfterUpload: number;
}

/** One raw HTTP request (exact bytes and headers, optional source address); resolves with the answer and its time. */
export function send(
  base: string,
  method: string,
  path: string,
  body: Buffer | string | undefined,
  headers: Record<string, string> = {},
  options: { localAddress?: string } = {},
): Promise<Reply> {
  const started = Date.now();
  let uploaded = 0;
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = httpRequest(
      `${base}${path}`,
      { method, localAddress: options.localAddress, headers: { ...headers, ...(data ? { 'Content-Length': String(data.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const now = Date.now();
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), ms: now - started, msAfterUpload: now - (uploaded || now) });
        });
        res.on('error', reject);
      },
    );
    req.on('finish', () => (uploaded = Date.now()));
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * A request whose body never finishes: the headers promise `declaredBytes`, only `sentBytes` arrive.
 * Resolves with the answer the server gives meanwhile (or rejects if it closes without one).
 */
export function sendIncomplete(
  base: string,
  path: string,
  headers: Record<string, string>,
  declaredBytes: number,
  firstBytes: Buffer,
): { reply: Promise<Reply>; request: ClientRequest } {
  const started = Date.now();
  let request!: ClientRequest;
  const reply = new Promise<Reply>((resolve, reject) => {
    request = httpRequest(`${base}${path}`, { method: 'POST', headers: { ...headers, 'Content-Length': String(declaredBytes) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), ms: Date.now() - started, msAfterUpload: NaN }));
      res.on('error', reject);
    });
    request.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(e)));
    request.write(firstBytes);
  });
  return { reply, request };
}

/**
 * Polls GET /health every `everyMs` until stopped, and keeps the slowest answer: a stalled event loop
 * (a request decoded or mapped synchronously for seconds) shows up here.
 */
export function watchHealth(base: string, everyMs = 50): { stop(): Promise<{ count: number; slowestMs: number; failures: number }> } {
  let running = true;
  let count = 0;
  let slowestMs = 0;
  let failures = 0;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (res.status !== 200) failures++;
      } catch {
        failures++;
      }
      slowestMs = Math.max(slowestMs, Date.now() - started);
      count++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { count, slowestMs, failures };
    },
  };
}
