export const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type Level = (typeof LEVELS)[number];

/** One validated log, ready for the writer. */
export interface NormalizedLog {
  /** Canonical UTC text with microseconds. */
  timestamp: string;
  level: Level;
  service: string;
  message: string;
  /** Serialized JSON object, or null. */
  metadata: string | null;
  traceId: string | null;
  spanId: string | null;
}
