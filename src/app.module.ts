import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { ErrorEnvelopeFilter } from './common/errors/error-envelope.filter';
import { JsonBodyInterceptor } from './common/http/json-body.interceptor';
import { QueryBoundsInterceptor } from './common/http/query-bounds.interceptor';
import { LoggingModule } from './common/logging/logging.module';
import { SchedulingModule } from './common/scheduling/scheduling.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { TelemetryModule } from './common/telemetry/telemetry.module';
import { RefuseNulPipe } from './common/validation/refuse-nul.pipe';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { AnomaliesModule } from './anomalies/anomalies.module';
import { ServicesModule } from './metrics/services/services.module';
import { AlertChannelsModule } from './alert-channels/alert-channels.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { IngestionModule } from './ingestion/ingestion.module';

/**
 * The whole application. Built from an already validated config (main.ts loads it from the
 * environment; tests and tools pass their own), so nothing reads process.env after boot.
 */
@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.register(config),
        LoggingModule,
        EventEmitterModule.forRoot({ wildcard: false }),
        ScheduleModule.forRoot(),
        SchedulingModule,
        EventsModule,
        RateLimitModule,
        TelemetryModule,
        DatabaseModule,
        HealthModule,
        MetricsModule,
        AnomaliesModule,
        ServicesModule,
        AlertChannelsModule,
        ApiKeysModule,
        IngestionModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        { provide: APP_INTERCEPTOR, useClass: QueryBoundsInterceptor },
        // Bodies are read after the AuthGuard (APP_GUARD in ApiKeysModule), never before.
        { provide: APP_INTERCEPTOR, useClass: JsonBodyInterceptor },
        { provide: APP_PIPE, useClass: RefuseNulPipe },
      ],
    };
  }
}
