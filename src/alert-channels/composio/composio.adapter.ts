import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { isRetryableStatus, parseRetryAfter } from '../delivery/backoff';
import { describeError, failed, sent, type SendResult } from '../senders/sender';

/** The slice of @composio/core 0.14 that Tracer uses (the package is ESM; its types are not importable from CommonJS). */
interface ComposioSession {
  sessionId: string;
  execute(
    toolSlug: string,
    args: Record<string, unknown>,
    options?: undefined,
    requestOptions?: { signal?: AbortSignal },
  ): Promise<{ data: unknown; error: unknown; logId?: string }>;
}
interface ComposioClient {
  toolRouter: {
    create(userId: string, config: { toolkits: string[]; manageConnections: boolean }, requestOptions?: { signal?: AbortSignal }): Promise<ComposioSession>;
  };
}
interface ComposioModule {
  Composio: new (config: { apiKey: string; baseURL?: string; disableVersionCheck: boolean; allowTracking: boolean }) => ComposioClient;
}
/** What the SDK throws for an HTTP error (its Stainless client's APIError). */
interface ComposioApiError {
  status?: number;
  error?: { error?: { message?: string; slug?: string } };
  headers?: { get(name: string): string | null };
}

/**
 * A native dynamic import. TypeScript compiles `import()` to `require()` under CommonJS, which cannot load
 * an ES module on Node 20 in every setting (Jest's module system for one); this keeps the real import.
 */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** Toolkits the session is created with. */
const TOOLKITS = ['slack', 'gmail'];
/** A session is reused for this long, then recreated proactively; an "expired" answer recreates it at once. */
const SESSION_MAX_AGE_MS = 60 * 60_000;

/**
 * The one place that talks to Composio. It holds one Tool Router session for COMPOSIO_USER_ID with the
 * slack and gmail toolkits, created on first use and reused, recreated when Composio says it is gone
 * (404/410) or after an hour, and executes tools in it. COMPOSIO_BASE_URL points it at another host.
 *
 * The SDK's own HTTP client retries 5xx/429 a couple of times inside one call; the outbox's retries sit
 * on top of that, and the per-send time budget (the abort signal) bounds the whole call.
 */
@Injectable()
export class ComposioAdapter implements OnApplicationBootstrap {
  private readonly logger = new Logger(ComposioAdapter.name);
  private client?: Promise<ComposioClient>;
  private session?: { created: number; value: Promise<ComposioSession> };
  /** Sessions created so far (observability; tests check reuse). */
  sessionsCreated = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Loads the SDK during boot when Composio is configured: importing the ESM package takes seconds on a
   * busy machine, and inside the first send it would eat that send's 10 s budget.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.configured) await this.sdk().catch((e: Error) => this.logger.warn(`could not load @composio/core: ${e.message}`));
  }

  /** What a `slack` or `gmail` channel lacks when Composio is not configured (refused at creation). */
  configurationProblems(kind: string): { field: string; message: string }[] {
    return this.configured ? [] : [{ field: 'kind', message: `${kind} channels go through Composio: set COMPOSIO_API_KEY first` }];
  }

  get configured(): boolean {
    return Boolean(this.config.composio.apiKey);
  }

  get userId(): string {
    return this.config.composio.userId;
  }

  /** Executes a tool (`SLACK_SEND_MESSAGE`, `GMAIL_SEND_EMAIL`) in the session and classifies the outcome. */
  async execute(toolSlug: string, toolkit: 'slack' | 'gmail', args: Record<string, unknown>, signal: AbortSignal, now: Date): Promise<SendResult> {
    if (!this.config.composio.apiKey) return failed(null, 'COMPOSIO_API_KEY is not set', false);
    for (let attempt = 0; attempt < 2; attempt++) {
      let session: ComposioSession;
      try {
        session = await this.currentSession(signal);
      } catch (e) {
        return this.classify(e, toolkit, signal, now, 'creating the Composio session');
      }
      try {
        const result = await session.execute(toolSlug, args, undefined, { signal });
        if (result.error == null || result.error === '') return sent(200);
        const message = typeof result.error === 'string' ? result.error : JSON.stringify(result.error);
        if (isNotConnected(message)) return failed(200, this.notConnected(toolkit), false);
        return failed(200, `${toolSlug} failed: ${message.slice(0, 300)}`, false);
      } catch (e) {
        const status = (e as ComposioApiError).status;
        if ((status === 404 || status === 410) && attempt === 0) {
          // The session expired or was deleted on Composio's side: make a new one and try once more.
          this.logger.warn(`Composio session ${session.sessionId} is gone (${status}); creating a new one`);
          this.dropSession();
          continue;
        }
        return this.classify(e, toolkit, signal, now, toolSlug);
      }
    }
    return failed(null, 'Composio session could not be renewed', true);
  }

  private notConnected(toolkit: string): string {
    return `the ${toolkit} account is not connected for Composio user "${this.userId}": connect it (see docs/alert-channels.md) and try again`;
  }

  private classify(e: unknown, toolkit: string, signal: AbortSignal, now: Date, what: string): SendResult {
    if (signal.aborted) return failed(null, `timeout: ${what} did not finish in time`, true);
    const err = e as ComposioApiError;
    if (typeof err.status === 'number') {
      const body = err.error?.error;
      const message = [body?.slug, body?.message].filter(Boolean).join(': ') || describeError(e);
      if (isNotConnected(message)) return failed(err.status, this.notConnected(toolkit), false);
      return failed(
        err.status,
        `Composio ${err.status} while ${what}: ${message.slice(0, 300)}`,
        isRetryableStatus(err.status),
        parseRetryAfter(err.headers?.get?.('retry-after'), now),
      );
    }
    return failed(null, `network error while ${what}: ${describeError(e)}`, true);
  }

  private currentSession(signal: AbortSignal): Promise<ComposioSession> {
    if (this.session && Date.now() - this.session.created < SESSION_MAX_AGE_MS) return this.session.value;
    const value = this.sdk().then(async (client) => {
      const s = await client.toolRouter.create(this.userId, { toolkits: TOOLKITS, manageConnections: false }, { signal });
      this.sessionsCreated++;
      return s;
    });
    const entry = { created: Date.now(), value };
    this.session = entry;
    // A failed creation must not be cached.
    value.catch(() => {
      if (this.session === entry) this.session = undefined;
    });
    return value;
  }

  private dropSession(): void {
    this.session = undefined;
  }

  private sdk(): Promise<ComposioClient> {
    this.client ??= importEsm('@composio/core').then((m) => {
      const { Composio } = m as ComposioModule;
      return new Composio({
        apiKey: this.config.composio.apiKey!,
        ...(this.config.composio.baseUrl ? { baseURL: this.config.composio.baseUrl.replace(/\/+$/, '') } : {}),
        disableVersionCheck: true,
        allowTracking: false,
      });
    });
    this.client.catch(() => (this.client = undefined));
    return this.client;
  }
}

/** Composio's ways of saying the user has no connected account for the toolkit. */
function isNotConnected(message: string): boolean {
  return /NoActiveConnection|ConnectedAccountNotFound|no (active )?connect(ed account|ion)|not connected|connected account.*not found/i.test(message);
}
