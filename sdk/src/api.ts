import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi';

/** The typed Tracer API client, generated from Tracer's openapi.json (openapi-typescript + openapi-fetch). */
export type TracerApi = Client<paths>;

export interface TracerApiOptions {
  /** Where Tracer listens, e.g. `http://localhost:3000`. */
  apiUrl: string;
  /** An API key (`trc_...`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
}

/**
 * A typed client for every route of Tracer's API:
 * `api.GET('/logs', { params: { query: { service: 'checkout' } } })`, `api.POST('/api-keys', { body })`.
 */
export function createTracerApi(options: TracerApiOptions): TracerApi {
  return createClient<paths>({
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    headers: options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {},
    fetch: options.fetch,
  });
}
