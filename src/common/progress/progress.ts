/** Options of a Progress report. */
export interface ProgressOptions {
  /** What is being done, e.g. "migrations" or "window catch-up" */
  label: string;
  /** Units of work, when known in advance */
  total?: number;
  /** What one unit is called, plural: "windows", "lines" */
  unit: string;
  /** Where lines go (a Nest logger's log, or stderr for the CLI) */
  log: (line: string) => void;
  /** Least time between two progress lines; 0 = a line for every step */
  everyMs?: number;
  now?: () => number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * A progress report for work that takes a while, so a long start does not look like a hang: one line at
 * the start with the amount of work, periodic lines with the count, rate and (with a total) the time
 * left, and a summary. Pure: the caller decides where lines go and what the clock is.
 */
export class Progress {
  private readonly startedAt: number;
  private lastReport: number;
  private done = 0;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.lastReport = this.now();
    const { label, total, unit } = options;
    options.log(total !== undefined ? `${label}: ${fmt(total)} ${unit} to do` : `${label}: started`);
  }

  get count(): number {
    return this.done;
  }

  /** Counts `n` more units; reports when the interval has passed (`detail` says what the step was). */
  advance(n = 1, detail?: string): void {
    this.done += n;
    const t = this.now();
    if (t - this.lastReport < (this.options.everyMs ?? 5000)) return;
    this.lastReport = t;
    this.options.log(this.line(t, detail));
  }

  /** The progress line as of now (the CLI redraws it on a terminal). */
  line(t = this.now(), detail?: string): string {
    const { label, total, unit } = this.options;
    const elapsed = Math.max(1, t - this.startedAt);
    const rate = (this.done * 1000) / elapsed;
    let s = `${label}: ${fmt(this.done)}`;
    if (total !== undefined && total > 0) {
      s += `/${fmt(total)} ${unit} (${Math.floor((this.done * 100) / total)} %)`;
      if (rate > 0 && this.done < total) s += `, ~${duration(((total - this.done) / rate) * 1000)} left`;
    } else {
      s += ` ${unit}`;
    }
    s += `, ${fmt(rate)}/s`;
    return detail ? `${s} — ${detail}` : s;
  }

  /** Logs the summary and returns the elapsed milliseconds. */
  finish(extra?: string): number {
    const elapsed = this.now() - this.startedAt;
    const { label, unit } = this.options;
    this.options.log(`${label}: ${fmt(this.done)} ${unit} done in ${duration(elapsed)}${extra ? `; ${extra}` : ''}`);
    return elapsed;
  }
}
