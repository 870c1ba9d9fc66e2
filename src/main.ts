import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from '@nestjs/common';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { installGracefulShutdown } from './common/shutdown/graceful-shutdown';
import { ShutdownState } from './common/shutdown/shutdown-state';
import { ConfigError, configFromProcessEnv, loadProcessEnvFile, type AppConfig } from './config/app-config';
import type { EnvFileResult } from './config/env-file';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  let envFile: EnvFileResult;
  try {
    envFile = loadProcessEnvFile();
    config = configFromProcessEnv();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  configureApp(app);
  if (envFile.path) new Logger('Config').log(`read ${envFile.applied.length} variable(s) from ${envFile.path}`);
  installGracefulShutdown(app, { deadlineMs: config.shutdownTimeoutMs, onDrainStart: () => app.get(ShutdownState).begin() });
  await app.listen(config.port, config.host);
  new Logger('Tracer').log(`listening on http://${config.host}:${config.port} (ready: GET /readyz)`);
}

bootstrap().catch((e: Error) => {
  process.stderr.write(`Tracer failed to start: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
