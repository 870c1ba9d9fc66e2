const DAY_MS = 86_400_000;

/** Midnight UTC of the day holding `t`. */
export function utcDayStart(t: Date): Date {
  return new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);
}

export function addDays(t: Date, days: number): Date {
  return new Date(t.getTime() + days * DAY_MS);
}

/** `logs_p20261128` for the partition of logs holding 2026-11-28 (UTC). */
export function partitionName(table: string, day: Date): string {
  return `${table}_p${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

/** The day a partition name stands for, or null when the name is not one of ours. */
export function partitionDay(table: string, name: string): Date | null {
  const m = new RegExp(`^${table}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(name);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Which daily partitions should exist at `now`: from the first day still (partly) inside retention
 * to `premakeDays` ahead of today.
 */
export function wantedPartitionDays(now: Date, retentionDays: number, premakeDays: number): Date[] {
  const first = utcDayStart(addDays(now, -retentionDays));
  const last = addDays(utcDayStart(now), premakeDays);
  const days: Date[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

/** A partition can go once its whole day is older than the retention cutoff. */
export function isExpired(day: Date, now: Date, retentionDays: number): boolean {
  return addDays(day, 1).getTime() <= addDays(now, -retentionDays).getTime();
}
