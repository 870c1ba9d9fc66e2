import { Injectable } from '@nestjs/common';
import type { ServiceScope } from '../../common/auth/service-scope';
import { AlertsReader } from '../../anomalies/alerts.reader';
import { ServicesReader } from '../../ingestion/services.reader';
import { MetricsReader } from '../metrics.reader';
import { WindowLedger } from '../window-ledger';
import type { ServiceListDto, ServiceStatusDto } from './dto/service-status.dto';

/** GET /services: the registry joined with the latest window's metrics and unresolved alerts. */
@Injectable()
export class ServicesService {
  constructor(
    private readonly services: ServicesReader,
    private readonly metrics: MetricsReader,
    private readonly ledger: WindowLedger,
    private readonly alerts: AlertsReader,
  ) {}

  async list(scope: ServiceScope): Promise<ServiceListDto> {
    const latest = await this.ledger.latestClosed();
    const rows = latest ? await this.metrics.ofWindow(latest) : [];
    const byService = new Map(rows.map((r) => [r.service, r]));
    const open = await this.alerts.unresolved();
    const data = (await this.services.list(scope.services)).map((s): ServiceStatusDto => {
      const mine = open.filter((a) => a.service === s.name);
      const m = byService.get(s.name);
      return {
        name: s.name,
        firstSeenAt: new Date(s.firstSeenAt).toISOString(),
        lastSeenAt: new Date(s.lastSeenAt).toISOString(),
        status: mine.some((a) => a.type === 'service_down') ? 'down' : mine.length ? 'degraded' : 'healthy',
        openAlerts: mine.length,
        windowStart: latest ? latest.toISOString() : null,
        logCount: m?.logCount ?? 0,
        errorRate: m && m.logCount ? m.errorCount / m.logCount : 0,
        latencyP95: m?.latencyP95 ?? null,
      };
    });
    return { data };
  }
}
