import { Controller, Get, Header, Logger } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AllowScrapeToken } from '../common/auth/scrape-token.decorator';
import { Scopes } from '../common/auth/scopes.decorator';
import { Unscoped } from '../common/auth/service-scope';
import { TelemetryService } from '../common/telemetry/telemetry.service';
import { DeliveryStatsReader } from '../alert-channels/delivery/delivery-stats.reader';
import { WindowLedger } from '../metrics/window-ledger';

@ApiTags('health')
@ApiBearerAuth()
@Controller('internal/metrics')
export class InternalMetricsController {
  private readonly logger = new Logger(InternalMetricsController.name);

  constructor(
    private readonly telemetry: TelemetryService,
    private readonly ledger: WindowLedger,
    private readonly deliveries: DeliveryStatsReader,
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
      const lag = await this.ledger.lagSeconds();
      if (lag != null) this.telemetry.windowLagSeconds.set(lag);
      const rows = await this.deliveries.countsByStatus();
      this.telemetry.deliveries.reset();
      for (const r of rows) this.telemetry.deliveries.set({ status: r.status }, r.n);
    } catch (e) {
      this.logger.warn(`could not refresh database gauges: ${(e as Error).message}`);
    }
  }
}
