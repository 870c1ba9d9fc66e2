import http from 'node:http';
import { TEST_ADMIN_KEY } from './test-app';

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

export interface SseStream {
  events: SseEvent[];
  comments: string[];
  req: http.ClientRequest;
  res?: http.IncomingMessage;
  /** The body of a non-200 answer (the error envelope), once it has arrived. */
  body: Promise<string>;
  closed: Promise<void>;
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Starts reading a stream opened with `read: false`. */
  resume(): void;
}

/** Opens GET /logs/stream over a real socket and parses Server-Sent Events as they arrive. */
export function openStream(port: number, query: string, options: { read?: boolean; key?: string } = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const comments: string[] = [];
    let buffer = '';
    let notify = () => {};
    let closedResolve = () => {};
    const closed = new Promise<void>((r) => (closedResolve = r));
    const headers = { Authorization: `Bearer ${options.key ?? TEST_ADMIN_KEY}` };
    const req = http.get({ port, host: '127.0.0.1', path: `/logs/stream${query}`, headers }, (res) => {
      const onData = (chunk: string) => {
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const ev: SseEvent = {};
          let isEvent = false;
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('data: ')) ((ev.data = line.slice(6)), (isEvent = true));
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
          }
          if (isEvent) events.push(ev);
        }
        notify();
      };
      const stream: SseStream = {
        events,
        comments,
        req,
        res,
        closed,
        body: Promise.resolve(''),
        waitFor: (n, timeoutMs = 5000) =>
          new Promise<void>((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`got ${events.length} events, wanted ${n}`)), timeoutMs);
            notify = () => {
              if (events.length >= n) {
                clearTimeout(timer);
                ok();
              }
            };
            notify();
          }),
        resume: () => {
          res.setEncoding('utf8');
          res.on('data', onData);
          res.resume();
        },
      };
      res.on('close', closedResolve);
      res.on('error', () => closedResolve());
      if (res.statusCode !== 200) {
        let text = '';
        res.setEncoding('utf8');
        stream.body = new Promise((ok) => {
          res.on('data', (c: string) => (text += c));
          res.on('end', () => ok(text));
          res.on('close', () => ok(text));
        });
        resolve(stream);
        return;
      }
      if (options.read === false) res.pause(); // a stalled client: never reads (until resume())
      else stream.resume();
      resolve(stream);
    });
    req.on('error', reject);
  });
}
