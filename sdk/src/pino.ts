import build from 'pino-abstract-transport';
import { levelFromName, levelFromNumber } from './logger-levels';
import { TracerClient, type Metadata, type TracerClientOptions } from './tracer-client';

/**
 * Options of the pino transport: TracerClient's, minus the callbacks (pino runs transports in a worker
 * thread and passes options as data).
 */
export type TracerPinoOptions = Omit<TracerClientOptions, 'onError' | 'fetch' | 'flushOnExit'>;

/** Fields of a pino record that become the log's own fields; everything else is metadata. */
const OWN = new Set(['level', 'time', 'msg', 'v']);

/**
 * `@tracer/sdk/pino`, a pino transport on TracerClient's batching pipeline:
 *
 * ```js
 * const logger = pino(pino.transport({ target: '@tracer/sdk/pino', options: { service: 'checkout', apiUrl, apiKey } }));
 * ```
 * Numeric levels map to Tracer's (trace to debug), `time` is kept, `msg` is the message, and the rest of
 * the record (pid, hostname, name, err, bindings) is metadata; `trace_id`/`span_id` (OpenTelemetry's pino
 * instrumentation) become the trace context. Ending the stream flushes what is queued.
 */
export default async function tracerPinoTransport(options: TracerPinoOptions) {
  const client = new TracerClient({ ...options, flushOnExit: false });
  return build(
    async (source: AsyncIterable<Record<string, unknown>>) => {
      for await (const record of source) {
        const metadata: Metadata = {};
        for (const key of Object.keys(record)) if (!OWN.has(key)) metadata[key] = record[key];
        const err = record.err as { message?: unknown } | undefined;
        // Tracer needs a message; pino allows an object alone (`logger.info({ orderId })`).
        const message = typeof record.msg === 'string' && record.msg ? record.msg : typeof err?.message === 'string' ? err.message : '(no message)';
        client.emit({
          level: typeof record.level === 'number' ? levelFromNumber(record.level) : levelFromName(record.level),
          message,
          timestamp: typeof record.time === 'number' || typeof record.time === 'string' ? record.time : undefined,
          metadata,
        });
      }
    },
    { close: async () => client.shutdown() },
  );
}
