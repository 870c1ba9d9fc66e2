import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { installGracefulShutdown } from './common/shutdown/graceful-shutdown';
import { ConfigError, configFromProcessEnv } from './config/app-config';

async function bootstrap(): Promise<void> {
  let config;
  try {
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
  installGracefulShutdown(app);
  await app.listen(config.port, config.host);
}

bootstrap().catch((e: Error) => {
  process.stderr.write(`Tracer failed to start: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
