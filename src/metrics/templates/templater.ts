import { createHash } from 'node:crypto';

/**
 * Message templates: a log message with its variable parts masked, so "payment gateway timeout after
 * 5012 ms" and "... after 4870 ms" are one template. A masking templater (the variable-token rules Drain
 * and Loki's pattern detection start from): applied in order, each rule replaces what it matches.
 *
 * Each rule is written twice, once for JavaScript and once for PostgreSQL's regular expressions (ARE),
 * because aggregation masks in SQL (the messages never leave the database) while tests, and anything
 * else in-process, use templateOf(). test/metrics/templates.e2e.spec.ts runs the same table of messages
 * through both and requires the same templates.
 */
export interface MaskRule {
  name: string;
  js: RegExp;
  pg: string;
  replacement: string;
}

export const MASK_RULES: readonly MaskRule[] = [
  { name: 'uuid', js: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g, pg: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', replacement: '<uuid>' },
  { name: 'email', js: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, pg: '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}', replacement: '<email>' },
  { name: 'ip', js: /[0-9]{1,3}(\.[0-9]{1,3}){3}(:[0-9]{1,5})?/g, pg: '[0-9]{1,3}(\\.[0-9]{1,3}){3}(:[0-9]{1,5})?', replacement: '<ip>' },
  { name: 'double-quoted', js: /"[^"]*"/g, pg: '"[^"]*"', replacement: '"<str>"' },
  { name: 'single-quoted', js: /'[^']*'/g, pg: "'[^']*'", replacement: "'<str>'" },
  { name: 'hex-literal', js: /0x[0-9a-fA-F]+/g, pg: '0x[0-9a-fA-F]+', replacement: '<hex>' },
  { name: 'long-hex', js: /[0-9a-fA-F]{12,}/g, pg: '[0-9a-fA-F]{12,}', replacement: '<hex>' },
  { name: 'path-id', js: /\/[0-9][A-Za-z0-9_-]*/g, pg: '/[0-9][A-Za-z0-9_-]*', replacement: '/<id>' },
  { name: 'number', js: /(?<![A-Za-z0-9_<])[0-9]+(\.[0-9]+)?/g, pg: '(?<![A-Za-z0-9_<])[0-9]+(\\.[0-9]+)?', replacement: '<num>' },
];

/** Only this much of a message is templated: enough to tell errors apart, bounded work per log. */
export const TEMPLATE_INPUT_CHARS = 300;

export function templateOf(message: string): string {
  let s = message.slice(0, TEMPLATE_INPUT_CHARS);
  for (const r of MASK_RULES) s = s.replace(r.js, r.replacement);
  return s;
}

/** A template's key: md5 hex, the same as PostgreSQL's md5() of the template. */
export function templateHash(template: string): string {
  return createHash('md5').update(template, 'utf8').digest('hex');
}

/** The PostgreSQL expression of templateOf() applied to a column. */
export function templateSql(column: string): string {
  let expr = `left(${column}, ${TEMPLATE_INPUT_CHARS})`;
  for (const r of MASK_RULES) expr = `regexp_replace(${expr}, '${r.pg.replace(/'/g, "''")}', '${r.replacement.replace(/'/g, "''")}', 'g')`;
  return expr;
}
