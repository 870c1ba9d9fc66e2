import { ConfigError, loadConfig } from '../../src/config/app-config';
import { DEFAULT_LATENCY_FIELDS } from '../../src/config/config.schema';

describe('config', () => {
  it('has defaults for everything', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('./data');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.metrics).toEqual({ windowSeconds: 60, latenessSeconds: 10, latencyFields: loadConfig({ METRICS_LATENCY_FIELDS: DEFAULT_LATENCY_FIELDS }).metrics.latencyFields });
    expect(c.retention.logDays).toBe(30);
    expect(c.retention.metricDays).toBe(90);
    expect(c.limits).toEqual({ bodyBytes: 10 * 1024 * 1024, batchLogs: 10000, messageBytes: 32768, metadataBytes: 16384, attributes: 128, bodyReadTimeoutMs: 30000 });
    expect(c.ingestAuth).toBe('required');
    expect(c.composio.userId).toBe('tracer-system');
    expect(c.resend.fromEmail).toBe('onboarding@resend.dev');
    expect(c.allowPrivateWebhooks).toBe(false);
  });

  it('takes API_PORT as an alias of PORT, PORT winning', () => {
    expect(loadConfig({ API_PORT: '4000' }).port).toBe(4000);
    expect(loadConfig({ API_PORT: '4000', PORT: '5000' }).port).toBe(5000);
  });

  it('reads METRICS_LATENCY_FIELDS as names with unit factors, defaulting to the common latency fields', () => {
    expect(loadConfig({}).metrics.latencyFields).toEqual([
      { field: 'latency', toMs: 1 },
      { field: 'latency_ms', toMs: 1 },
      { field: 'duration_ms', toMs: 1 },
      { field: 'responseTime', toMs: 1 },
      { field: 'http.server.request.duration', toMs: 1000 },
      { field: 'duration', toMs: 1 },
    ]);
    expect(loadConfig({ METRICS_LATENCY_FIELDS: 'took:s, t:us ,a:b' }).metrics.latencyFields).toEqual([
      { field: 'took', toMs: 1000 },
      { field: 't', toMs: 0.001 },
      { field: 'a:b', toMs: 1 },
    ]);
  });

  it('reads ES_FIELD_MAPPING as replacements of some bulk field lists', () => {
    expect(loadConfig({}).esFieldMapping).toEqual({});
    expect(loadConfig({ ES_FIELD_MAPPING: '{"service": ["kubernetes.container.name", "app"], "level": ["lvl"]}' }).esFieldMapping).toEqual({
      service: ['kubernetes.container.name', 'app'],
      level: ['lvl'],
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['METRICS_WINDOW_SECONDS', '0'],
    ['METRICS_WINDOW_SECONDS', 'sixty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['INGEST_AUTH', 'sometimes'],
    ['LOG_LEVEL', 'loud'],
    ['ALLOW_PRIVATE_WEBHOOKS', 'maybe'],
    ['TRACER_SECRET_KEY', 'short'],
    ['TRACER_ADMIN_KEY', 'tiny'],
    ['ES_FIELD_MAPPING', 'not json'],
    ['ES_FIELD_MAPPING', '{"host": ["h"]}'],
    ['ES_FIELD_MAPPING', '{"service": []}'],
    ['ES_FIELD_MAPPING', '["service"]'],
    ['METRICS_LATENCY_FIELDS', ' , '],
    ['METRICS_LATENCY_FIELDS', 'x'.repeat(129)],
    ['METRICS_LATENCY_FIELDS', Array.from({ length: 17 }, (_, i) => `f${i}`).join(',')],
  ])('refuses %s=%s naming the variable', (variable, value) => {
    let err: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.variable)).toContain(variable);
    expect((err as ConfigError).message).toContain(variable);
  });
});
