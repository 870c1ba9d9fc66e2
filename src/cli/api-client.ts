/** An error the CLI reports as one line on stderr, with its exit code (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Query parameters: repeated keys as arrays; undefined values are left out. */
export type Query = Record<string, string | string[] | number | undefined>;

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * The CLI's HTTP client for a running Tracer: base URL, `Authorization: Bearer`, and the API's error
 * envelope turned into a one-line CliError (with hints for the two mistakes everyone makes first).
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  url(path: string, query: Query = {}): string {
    const u = new URL(path, `${this.baseUrl}/`);
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(one));
    }
    return u.toString();
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}), ...extra };
  }

  /** Sends the request; a network failure becomes a CliError naming the URL. */
  async fetch(method: string, path: string, init: { query?: Query; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    const hasBody = init.body !== undefined;
    try {
      return await fetch(this.url(path, init.query), {
        method,
        headers: this.headers({ ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...init.headers }),
        body: hasBody ? (typeof init.body === 'string' ? init.body : JSON.stringify(init.body)) : undefined,
        signal: init.signal,
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach Tracer at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (e as Error).message}); set TRACER_URL`);
    }
  }

  /** A JSON request that must succeed (2xx); otherwise throws the server's message. */
  async request<T>(method: string, path: string, init: { query?: Query; body?: unknown } = {}): Promise<T> {
    const res = await this.fetch(method, path, init);
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as T;
  }
}

/** The API's error envelope as one line: status, message and the first details. */
export async function errorOf(res: Response): Promise<CliError> {
  let text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: string; details?: Array<{ field?: string; message: string }> };
    text = body.message ?? text;
    if (body.details?.length) text += ': ' + body.details.slice(0, 5).map((d) => (d.field ? `${d.field} ${d.message}` : d.message)).join('; ');
  } catch {
    // not JSON: keep the text
  }
  const hint = res.status === 401 ? ' (set TRACER_API_KEY)' : res.status === 403 ? ' (this key lacks the scope)' : '';
  return new CliError(`${res.status} ${text || res.statusText}${hint}`);
}
