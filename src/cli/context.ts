import type { ParseArgsConfig } from 'node:util';
import { ApiClient, CliError } from './api-client';
import type { Io } from './output';

type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** Options every command takes. */
export const COMMON_OPTIONS: Options = {
  json: { type: 'boolean', default: false },
  url: { type: 'string' },
  'api-key': { type: 'string' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h', default: false },
};

/** The filters of GET /logs and GET /logs/stream, as CLI options. */
export const LOG_FILTER_OPTIONS: Options = {
  service: { type: 'string', short: 's' },
  level: { type: 'string', short: 'l', multiple: true },
  from: { type: 'string' },
  to: { type: 'string' },
  query: { type: 'string', short: 'q' },
  'trace-id': { type: 'string' },
  meta: { type: 'string', short: 'm', multiple: true },
};

export const LOG_FILTER_USAGE = `  -s, --service NAME       one service
  -l, --level LEVEL        debug|info|warn|error|fatal; repeat or comma-separate for several
      --from TIME, --to TIME   ISO 8601 or epoch milliseconds
  -q, --query TEXT         text search in messages
      --trace-id ID
  -m, --meta KEY=VALUE     metadata filter (metadata.<key>=<value>); repeatable`;

/** The GET /logs query for the filter options (same names and meaning as the API's). */
export function logFilterQuery(values: Values): Record<string, string | string[] | undefined> {
  const query: Record<string, string | string[] | undefined> = {
    service: values.service as string | undefined,
    level: (values.level as string[] | undefined)?.join(','),
    from: values.from as string | undefined,
    to: values.to as string | undefined,
    q: values.query as string | undefined,
    traceId: values['trace-id'] as string | undefined,
  };
  for (const m of (values.meta as string[] | undefined) ?? []) {
    const eq = m.indexOf('=');
    if (eq <= 0) throw new CliError(`--meta needs KEY=VALUE, got "${m}"`, 2);
    query[`metadata.${m.slice(0, eq)}`] = m.slice(eq + 1);
  }
  return query;
}

/** What a command runs with. */
export interface Context {
  io: Io;
  values: Values;
  positionals: string[];
  json: boolean;
  api(): ApiClient;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options?: Options;
  /** Resolves to the process exit code. */
  run(ctx: Context): Promise<number>;
}
