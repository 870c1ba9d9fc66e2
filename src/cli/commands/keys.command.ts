import { CliError } from '../api-client';
import type { Command, Context } from '../context';
import { paint, table } from '../output';

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  service: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
  key?: string;
}

const keyRows = (keys: ApiKey[]) =>
  table(
    ['id', 'name', 'prefix', 'scopes', 'service', 'created', 'last used', 'state'],
    keys.map((k) => [k.id, k.name, k.prefix, k.scopes.join(','), k.service, k.createdAt, k.lastUsedAt, k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt < new Date().toISOString() ? 'expired' : 'active']),
  );

async function create(ctx: Context): Promise<number> {
  const { values, io } = ctx;
  const name = (values.name as string | undefined) ?? ctx.positionals[1];
  if (!name) throw new CliError('keys create needs --name NAME', 2);
  const scopes = (values.scopes as string | undefined)?.split(',').map((s) => s.trim()).filter(Boolean);
  const key = await ctx.api().request<ApiKey>('POST', '/api-keys', {
    body: { name, scopes, service: values.service, expiresAt: values['expires-at'] },
  });
  if (ctx.json) {
    io.out(JSON.stringify(key) + '\n');
  } else {
    io.out(keyRows([key]));
    io.out(`\n${paint(io, 'bold', key.key!)}\n`);
    io.err('Store this key now: it cannot be shown again.\n');
  }
  return 0;
}

async function list(ctx: Context): Promise<number> {
  const keys = await ctx.api().request<ApiKey[]>('GET', '/api-keys');
  ctx.io.out(ctx.json ? JSON.stringify(keys) + '\n' : keyRows(keys));
  return 0;
}

async function revoke(ctx: Context): Promise<number> {
  const id = ctx.positionals[1];
  if (!id) throw new CliError('keys revoke needs the key id (see tracer keys list)', 2);
  const key = await ctx.api().request<ApiKey>('DELETE', `/api-keys/${encodeURIComponent(id)}`);
  ctx.io.out(ctx.json ? JSON.stringify(key) + '\n' : `revoked ${key.id} (${key.name})\n`);
  return 0;
}

/** `tracer keys create|list|revoke`, through the API with an admin key (TRACER_API_KEY). */
export const keys: Command = {
  name: 'keys',
  summary: 'create, list and revoke API keys (needs an admin key)',
  usage: `tracer keys create --name NAME [--scopes ingest,read,admin] [--service NAME] [--expires-at ISO]
tracer keys list
tracer keys revoke ID`,
  options: {
    name: { type: 'string' },
    scopes: { type: 'string' },
    service: { type: 'string' },
    'expires-at': { type: 'string' },
  },
  run: (ctx) => {
    const sub = ctx.positionals[0];
    if (sub === 'create') return create(ctx);
    if (sub === 'list' || sub === 'ls') return list(ctx);
    if (sub === 'revoke') return revoke(ctx);
    throw new CliError(`keys: unknown subcommand ${sub ? `"${sub}"` : '(none)'}; use create, list or revoke`, 2);
  },
};
