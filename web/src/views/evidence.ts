import type { Alert } from '../api';
import { fmtMs, fmtTime, h } from '../dom';

/**
 * What an alert was opened (or last escalated) with, as the notifications tell it: an error_spike's top
 * error templates (share of the window's errors, count, first seen, "new" when not seen in the baseline
 * period) and a high_latency's slowest routes (p95 and how many logs it is over). Null when it has none.
 */
export function evidenceBlock(a: Pick<Alert, 'evidence'>): HTMLElement | null {
  const top = a.evidence?.topErrors ?? [];
  const slow = a.evidence?.slowRoutes ?? [];
  if (!top.length && !slow.length) return null;
  return h(
    'div',
    { class: 'evidence' },
    top.length
      ? h(
          'table',
          { class: 'grid evidence-errors' },
          h('caption', null, 'Top errors of the window'),
          h('thead', null, h('tr', null, h('th', null, 'share'), h('th', null, 'template'), h('th', null, 'count'), h('th', null, 'first seen'))),
          h(
            'tbody',
            null,
            ...top.map((t) =>
              h(
                'tr',
                { 'data-new': String(t.new) },
                h('td', { class: 'num' }, `${Math.round(t.share * 100)}%`),
                h('td', null, h('code', { class: 'template' }, t.template), t.new ? h('span', { class: 'pill badge-new', title: 'not seen in the baseline period before the alert' }, 'new') : null),
                h('td', { class: 'num' }, String(t.count)),
                h('td', null, h('time', { datetime: t.firstSeen }, fmtTime(t.firstSeen))),
              ),
            ),
          ),
        )
      : null,
    slow.length
      ? h(
          'table',
          { class: 'grid evidence-routes' },
          h('caption', null, 'Slowest routes of the window'),
          h('thead', null, h('tr', null, h('th', null, 'route'), h('th', null, 'p95'), h('th', null, 'logs'))),
          h(
            'tbody',
            null,
            ...slow.map((r) =>
              h('tr', null, h('td', null, h('code', { class: 'route' }, r.route)), h('td', { class: 'num' }, fmtMs(r.p95Ms)), h('td', { class: 'num' }, String(r.count))),
            ),
          ),
        )
      : null,
    a.evidence?.slowRoutesPartial ? h('p', { class: 'muted' }, 'Routes from the newest logs of the window only: it had more than are read for routes.') : null,
  );
}
