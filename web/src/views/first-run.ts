import { h } from '../dom';

/** The empty install's page: how to send a first log, with this server's address filled in. */
export function firstRunPanel(): HTMLElement {
  const origin = location.origin;
  const snippet = (title: string, code: string) =>
    h(
      'figure',
      { class: 'snippet' },
      h('figcaption', null, title, ' ', h('button', { type: 'button', class: 'link copy', onclick: (e: Event) => void copy(e.currentTarget as HTMLButtonElement, code) }, 'Copy')),
      h('pre', null, code),
    );
  return h(
    'div',
    { class: 'first-run' },
    h('h2', null, 'No logs yet'),
    h('p', null, 'Send a first log with a key that has the ingest scope (create one under API keys, or with POST /api-keys). It shows here once its window is aggregated, and in Logs at once.'),
    snippet(
      'curl',
      `curl -X POST ${origin}/logs \\\n  -H "Authorization: Bearer $TRACER_KEY" -H "Content-Type: application/json" \\\n  -d '{"service":"checkout","level":"info","message":"hello from curl","metadata":{"latency_ms":42}}'`,
    ),
    snippet(
      'Node SDK (@tracer/sdk)',
      `import { TracerClient } from '@tracer/sdk';\n\nconst tracer = new TracerClient({ apiUrl: '${origin}', apiKey: process.env.TRACER_KEY, service: 'checkout' });\ntracer.info('hello from the SDK', { latency_ms: 42 });\nawait tracer.shutdown(); // flushes`,
    ),
    snippet(
      'OpenTelemetry (OTLP/HTTP logs)',
      `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT=${origin}/v1/logs\nOTEL_EXPORTER_OTLP_LOGS_HEADERS="Authorization=Bearer $TRACER_KEY"\nOTEL_SERVICE_NAME=checkout`,
    ),
  );
}

export async function copy(button: HTMLButtonElement, text: string): Promise<void> {
  const was = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    // Clipboard refused (plain http on another host): the text is selectable on the page.
    button.textContent = 'Select and copy';
  }
  setTimeout(() => (button.textContent = was), 1500);
}
