import { ApiError } from '../../common/errors/api-error';
import { decodeLokiPush } from '../formats/loki-push.decoder';
import type { IngestDecoder } from './ingest-decoder';
import { rejectionMessage } from './otlp.decoder';
import { decodeWire } from './wire';

const LOKI_TYPES: ReadonlySet<string> = new Set(['application/x-protobuf', 'application/json', '']);

/**
 * POST /loki/api/v1/push: snappy protobuf (Promtail, Alloy, winston-loki) or JSON (pino-loki, Vector,
 * Fluent Bit). Answers nothing (the route's 204) when every entry was stored. Like Loki's distributor,
 * the valid entries of a push are stored even when some are refused, and the push then answers 400
 * naming the refused ones: Loki's clients do not retry a 400, so nothing is stored twice.
 */
export const lokiDecoder: IngestDecoder<void> = {
  format: 'loki',
  noun: 'log entries',
  unsupportedMediaMessage: 'Content-Type must be application/x-protobuf (snappy) or application/json',
  accepts: (media) => LOKI_TYPES.has(media.type),
  decode: (body, ctx) => decodeWire(decodeLokiPush, body, ctx),
  respond({ result, batch }) {
    // `1 of 3 log entries rejected: streams[0].values[1]: timestamp: ...`: says how many were stored, too.
    const of = `of ${result.accepted + result.rejected} log entries`;
    if (result.rejected > 0) throw ApiError.badRequest(rejectionMessage(result.rejected, result.errors, batch, [of, of]), result.errors);
  },
};
