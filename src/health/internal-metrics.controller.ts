import { Controller, Get, Header, Logger } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AllowScrapeToken } from '../common/auth/scrape-token.decorator';
import { Scopes } from '../common/auth/scopes.decorator';
import { Unscoped } from '../common/auth/service-scope';
import { TelemetryService } from '../common/telemetry/telemetry.service';
import { DatabaseService } from '../database/database.service';

@ApiTags('health')
@ApiBearerAuth()
@Controller('internal/metrics')
export class InternalMetricsController {
  private readonly logger = new Logger(InternalMetricsController.name);

  constructor(
    private readonly telemetry: TelemetryService,
    private readonly db: DatabaseService,
  ) {}

  /** Prometheus metrics of Tracer itself (admin key, or INTERNAL_METRICS_TOKEN as a bearer token). */
  @Get()
  @Scopes('admin')
  @Unscoped('Tracer\'s own process metrics')
  @AllowScrapeToken()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOkResponse({ content: { 'text/plain': { schema: { type: 'string' } } } })
  async getInternalMetrics(): Promise<string> {
    await this.refreshDatabaseGauges();
    return this.telemetry.registry.metrics();
  }

  /** Gauges read from the database at scrape time; a failure leaves them stale rather than failing the scrape. */
  private async refreshDatabaseGauges(): Promise<void> {
    try {
      const [lag] = await this.db.query<{ lag: number | null }>(
        `SELECT extract(epoch FROM now() - max(window_start + make_interval(secs => window_seconds)))::float8 AS lag
           FROM metric_windows WHERE aggregated_at IS NOT NULL`,
      );
      if (lag?.lag != null) this.telemetry.windowLagSeconds.set(lag.lag);
      const rows = await this.db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM alert_deliveries GROUP BY status`);
      this.telemetry.deliveries.reset();
      for (const r of rows) this.telemetry.deliveries.set({ status: r.status }, r.n);
    } catch (e) {
      this.logger.warn(`could not refresh database gauges: ${(e as Error).message}`);
    }
  }
}
