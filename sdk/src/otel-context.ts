/** What this SDK uses of `@opentelemetry/api`, typed here so the package does not depend on it. */
interface OtelApi {
  context: { active(): unknown };
  trace: { getSpan(ctx: unknown): { spanContext(): { traceId: string; spanId: string } } | undefined };
  isSpanContextValid(sc: { traceId: string; spanId: string }): boolean;
}

/** undefined: not looked for yet; null: not installed. */
let otel: OtelApi | null | undefined;

/**
 * The trace and span ids of the active OpenTelemetry span, when `@opentelemetry/api` is installed and a
 * span is active. The package is an optional peer: it is looked for once, on the first log, and its
 * absence costs nothing afterwards.
 */
export function activeSpanIds(): { traceId: string; spanId: string } | undefined {
  if (otel === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      otel = require('@opentelemetry/api') as OtelApi;
    } catch {
      otel = null;
    }
  }
  if (!otel) return undefined;
  try {
    const sc = otel.trace.getSpan(otel.context.active())?.spanContext();
    return sc && otel.isSpanContextValid(sc) ? { traceId: sc.traceId, spanId: sc.spanId } : undefined;
  } catch {
    return undefined;
  }
}
