import { Reader } from 'protobufjs';
import type { DecodeBudget } from '../admission/decode-budget';

const LEN = 2;

/**
 * Walks an ExportLogsServiceRequest in protobuf wire format without decoding anything, counting log
 * records and the attributes of each resource, scope and record against the budget. It stops at the
 * first count past a cap (413), so a body of millions of 2-byte empty records costs a scan of the first
 * ten thousand, not a decoded object per record. Field numbers are opentelemetry-proto's (otlp-proto.ts).
 * Malformed bytes throw; the caller reports them as an undecodable body.
 */
export function checkWireCounts(body: Uint8Array, budget: DecodeBudget): void {
  const r = Reader.create(body);
  let records = 0;
  let i = 0;
  fields(r, r.len, (field) => {
    if (field !== 1) return false;
    const rl = i++;
    let resourceAttributes = 0;
    let j = 0;
    fields(r, end(r), (f) => {
      if (f === 1) {
        // Resource: attributes = 1 (a repeated field may also arrive split over several Resource messages)
        fields(r, end(r), (g) => g === 1 && (budget.attributes(++resourceAttributes, () => `resourceLogs[${rl}].resource.attributes`, false), false));
        return true;
      }
      if (f !== 2) return false;
      const sl = j++;
      let scopeAttributes = 0;
      let k = 0;
      fields(r, end(r), (g) => {
        if (g === 1) {
          // InstrumentationScope: attributes = 3
          fields(r, end(r), (h) => h === 3 && (budget.attributes(++scopeAttributes, () => `resourceLogs[${rl}].scopeLogs[${sl}].scope.attributes`, false), false));
          return true;
        }
        if (g !== 2) return false;
        budget.records(++records, false);
        const lr = k++;
        let recordAttributes = 0;
        // LogRecord: attributes = 6
        fields(r, end(r), (h) => h === 6 && (budget.attributes(++recordAttributes, () => `resourceLogs[${rl}].scopeLogs[${sl}].logRecords[${lr}].attributes`, false), false));
        return true;
      });
      return true;
    });
    return true;
  });
}

/** The end offset of the length-delimited field the reader stands at. */
function end(r: Reader): number {
  const length = r.uint32();
  const stop = r.pos + length;
  if (stop > r.len) throw new RangeError(`length ${length} runs past the end of the message`);
  return stop;
}

/**
 * Calls `visit(fieldNumber)` for each field up to `stop`. For a length-delimited field, `visit` either
 * consumes it (returns true) or leaves it to be skipped (false); other wire types are always skipped.
 */
function fields(r: Reader, stop: number, visit: (field: number) => boolean): void {
  while (r.pos < stop) {
    const tag = r.uint32();
    const wire = tag & 7;
    if (wire === LEN && visit(tag >>> 3)) continue;
    r.skipType(wire);
  }
  if (r.pos !== stop) throw new RangeError('a field runs past the end of its message');
}
