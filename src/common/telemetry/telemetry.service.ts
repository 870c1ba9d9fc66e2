import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of Tracer itself, in a registry of our own (not prom-client's global one, so
 * several apps in one test process do not collide). Feature code records into these; gauges that need
 * the database are refreshed by the /internal/metrics handler at scrape time.
 */
@Injectable()
export class TelemetryService {
  readonly registry = new Registry();

  readonly ingestedLogs = new Counter({ name: 'tracer_ingested_logs_total', help: 'Logs committed', registers: [this.registry] });
  readonly rejectedEntries = new Counter({
    name: 'tracer_rejected_entries_total',
    help: 'Log entries rejected by validation',
    labelNames: ['field'],
    registers: [this.registry],
  });
  /** Set by the writer: how many rows wait in its queue, read at scrape time. */
  queueDepth: () => number = () => 0;
  readonly writerQueueRows: Gauge = new Gauge({
    name: 'tracer_writer_queue_rows',
    help: 'Rows waiting in the group-commit writer',
    registers: [this.registry],
    collect: (): void => this.writerQueueRows.set(this.queueDepth()),
  });
  readonly writerFlushSeconds = new Histogram({
    name: 'tracer_writer_flush_seconds',
    help: 'Duration of one group-commit statement',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly windowLagSeconds = new Gauge({
    name: 'tracer_window_lag_seconds',
    help: 'Seconds between now and the end of the newest aggregated metrics window',
    registers: [this.registry],
  });
  readonly deliveries = new Gauge({
    name: 'tracer_alert_deliveries',
    help: 'Alert deliveries by status',
    labelNames: ['status'],
    registers: [this.registry],
  });
  readonly httpSeconds = new Histogram({
    name: 'tracer_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tracer_' });
  }
}
