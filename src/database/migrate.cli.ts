import 'reflect-metadata';
import { ConfigError, configFromProcessEnv, loadProcessEnvFile } from '../config/app-config';
import { runMigrations } from './migrate';
import { openDataSource } from './open-data-source';

/** `npm run migration:run`: applies pending migrations to the configured database and exits. */
async function main(): Promise<void> {
  loadProcessEnvFile();
  const config = configFromProcessEnv();
  const open = await openDataSource(config);
  try {
    const ran = await runMigrations(open.dataSource, config.databaseUrl, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(ran.length ? `applied: ${ran.map((m) => m.name).join(', ')}\n` : 'nothing to migrate\n');
  } finally {
    await open.close();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`${e instanceof ConfigError ? e.message : (e.stack ?? e.message)}\n`);
  process.exit(1);
});
