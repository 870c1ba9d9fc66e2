import { configFromProcessEnv } from '../../config/app-config';
import { runMigrations } from '../../database/migrate';
import { openDataSource } from '../../database/open-data-source';
import type { Command } from '../context';

/** `tracer serve`: the server itself, exactly as `node dist/src/main.js` (configuration from env / .env). */
export const serve: Command = {
  name: 'serve',
  summary: 'run the Tracer server (configured by environment variables and .env)',
  usage: 'tracer serve',
  run: async () => {
    // main.ts starts the server when loaded; the process then lives until a signal ends it.
    await import('../../main');
    return new Promise<number>(() => undefined);
  },
};

/** `tracer migrate`: applies pending migrations to the configured database (DATABASE_URL or the embedded one). */
export const migrate: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations and exit (the server also does this at start)',
  usage: 'tracer migrate [--json]',
  run: async ({ io, json }) => {
    const config = configFromProcessEnv();
    const open = await openDataSource(config);
    try {
      const ran = await runMigrations(open.dataSource, config.databaseUrl, (line) => io.err(`${line}\n`));
      const applied = ran.map((m) => m.name);
      if (json) io.out(JSON.stringify({ applied }) + '\n');
      else io.out(applied.length ? `applied ${applied.length}: ${applied.join(', ')}\n` : 'nothing to migrate\n');
      return 0;
    } finally {
      await open.close();
    }
  },
};
