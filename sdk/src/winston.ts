import TransportStream from 'winston-transport';
import { levelFromName } from './logger-levels';
import { TracerClient, type Metadata, type TracerClientOptions } from './tracer-client';

export interface TracerWinstonOptions extends TransportStream.TransportStreamOptions {
  /** An existing client to send through; otherwise one is made from `tracer`. */
  client?: TracerClient;
  /** TracerClient's options, when no client is given. */
  tracer?: TracerClientOptions;
}

/** winston's own fields of an info object; the rest (defaultMeta, the call's metadata) is metadata. */
const OWN = new Set(['level', 'message', 'timestamp']);

/**
 * `@tracer/sdk/winston`, a winston transport on TracerClient's batching pipeline:
 *
 * ```js
 * winston.createLogger({ transports: [new TracerTransport({ tracer: { service: 'checkout', apiUrl, apiKey } })] });
 * ```
 * winston's levels map to Tracer's (http to info, verbose and silly to debug), the raw level is read
 * even behind `format.colorize()`, a `timestamp` from `format.timestamp()` is kept, and the trace context
 * comes from `traceId`/`trace_id` in the metadata or the active OpenTelemetry span.
 */
export class TracerTransport extends TransportStream {
  readonly client: TracerClient;
  private readonly ownsClient: boolean;

  constructor(options: TracerWinstonOptions) {
    super(options);
    if (options.client) this.client = options.client;
    else if (options.tracer) this.client = new TracerClient(options.tracer);
    else throw new TypeError('TracerTransport needs `client` or `tracer` options');
    this.ownsClient = !options.client;
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    const metadata: Metadata = {};
    for (const key of Object.keys(info)) if (!OWN.has(key)) metadata[key] = info[key];
    const message = info.message;
    this.client.emit({
      level: levelFromName(info[Symbol.for('level')] ?? info.level),
      message: typeof message === 'string' ? message : message instanceof Error ? message.message : JSON.stringify(message) ?? '',
      timestamp: typeof info.timestamp === 'string' || typeof info.timestamp === 'number' ? info.timestamp : undefined,
      metadata,
    });
    setImmediate(() => this.emit('logged', info));
    callback();
  }

  /** Resolves when what was logged so far is sent. */
  flush(): Promise<void> {
    return this.client.flush();
  }

  override close(): void {
    if (this.ownsClient) void this.client.shutdown();
  }
}

export default TracerTransport;
