/** Where a command writes, and how. Tests run the CLI as a child process, so this is the real stdio. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stderr is a terminal: progress lines are redrawn in place */
  errIsTty: boolean;
  color: boolean;
}

const CODES = { reset: 0, bold: 1, dim: 2, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 } as const;
export type Color = keyof typeof CODES;

export function paint(io: Io, color: Color, s: string): string {
  return io.color ? `\u001b[${CODES[color]}m${s}\u001b[0m` : s;
}

const LEVEL_COLORS: Record<string, Color> = { debug: 'gray', info: 'green', warn: 'yellow', error: 'red', fatal: 'magenta' };

export interface LogLine {
  id?: string;
  timestamp: string;
  level: string;
  service: string;
  message: string;
  metadata?: Record<string, unknown> | null;
  traceId?: string | null;
}

/** One log as a terminal line: time, level (coloured), service, message, then metadata as JSON. */
export function formatLog(io: Io, log: LogLine): string {
  const level = log.level.toUpperCase().padEnd(5);
  const meta = log.metadata && Object.keys(log.metadata).length ? ' ' + paint(io, 'gray', JSON.stringify(log.metadata)) : '';
  const trace = log.traceId ? paint(io, 'gray', ` trace=${log.traceId}`) : '';
  return `${paint(io, 'dim', log.timestamp)} ${paint(io, LEVEL_COLORS[log.level] ?? 'reset', level)} ${paint(io, 'cyan', log.service)} ${log.message}${trace}${meta}`;
}

/** A plain-text table with a header row; cells are stringified, null shows as "-". */
export function table(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined || c === '' ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}
