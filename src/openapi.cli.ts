import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { APP_CONFIG, loadConfig } from './config/app-config';
import { buildOpenApiDocument } from './openapi';

/**
 * `npm run openapi` writes openapi.json from the built app (the Swagger CLI plugin only runs in
 * `nest build`); `npm run openapi:check` fails when the committed file differs. Boots on a throwaway
 * embedded database so no server is needed.
 */
async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if (!['--write', '--check'].includes(mode) || !file) throw new Error('usage: openapi.cli (--write|--check) <file>');
  const dataDir = mkdtempSync(join(tmpdir(), 'tracer-openapi-'));
  const config = loadConfig({ TRACER_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), { logger: false, abortOnError: false });
  try {
    const text = JSON.stringify(buildOpenApiDocument(app, app.get(APP_CONFIG).version), null, 2) + '\n';
    if (mode === '--write') {
      writeFileSync(file, text);
      process.stdout.write(`wrote ${file}\n`);
    } else {
      let committed = '';
      try {
        committed = readFileSync(file, 'utf8');
      } catch {
        // missing counts as different
      }
      if (committed !== text) {
        process.stderr.write(`${file} is out of date: run \`npm run build && npm run openapi\` and commit it\n`);
        process.exitCode = 1;
      } else process.stdout.write(`${file} is current\n`);
    }
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
