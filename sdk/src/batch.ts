/** Tracer's defaults for one POST /logs request (MAX_BATCH_LOGS and MAX_BODY_BYTES). */
export const SERVER_MAX_BATCH_LOGS = 10_000;
export const SERVER_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Bytes of `{"logs":[]}` around the entries, and the comma between two. */
const ENVELOPE_BYTES = 11;

/**
 * Splits entries (with their serialized sizes) into batches of at most `maxLogs` entries and `maxBytes`
 * bytes of JSON, in order. An entry larger than `maxBytes` on its own travels alone (the server will
 * refuse it, and only it).
 */
export function splitBatches<T extends { bytes: number }>(items: T[], maxLogs: number, maxBytes: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = ENVELOPE_BYTES;
  for (const item of items) {
    const added = item.bytes + (current.length ? 1 : 0);
    if (current.length && (current.length >= maxLogs || size + added > maxBytes)) {
      batches.push(current);
      current = [];
      size = ENVELOPE_BYTES;
    }
    size += item.bytes + (current.length ? 1 : 0);
    current.push(item);
  }
  if (current.length) batches.push(current);
  return batches;
}
