import { OutboundTargetError } from '../outbound/address-guard';
import { OutboundTimeoutError, postOutbound } from '../outbound/safe-http';
import { isRetryableStatus, parseRetryAfter } from '../delivery/backoff';
import { describeError, failed, sent, type SendContext, type SendResult } from './sender';

/**
 * POSTs JSON to a user-supplied URL (Slack incoming webhooks, generic webhooks) through the guarded
 * client and turns what happened into a SendResult: 2xx sent; 429/5xx, timeouts and network errors
 * retryable; any other status (3xx included: redirects are not followed) and refused targets final.
 */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  ctx: SendContext,
  allowPrivate: boolean,
): Promise<SendResult> {
  try {
    const res = await postOutbound({
      url,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'Tracer-Alerts/1', ...headers },
      body,
      timeoutMs: ctx.timeoutMs,
      allowPrivate,
    });
    if (res.status >= 200 && res.status < 300) return sent(res.status);
    const detail = res.body.trim().slice(0, 200);
    const retryAfter = res.headers['retry-after'];
    if (res.status >= 300 && res.status < 400) {
      return failed(res.status, `HTTP ${res.status}: redirects are not followed (Location: ${res.headers.location ?? 'none'})`, false);
    }
    return failed(
      res.status,
      `HTTP ${res.status}${detail ? `: ${detail}` : ''}`,
      isRetryableStatus(res.status),
      parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, ctx.now),
    );
  } catch (e) {
    if (e instanceof OutboundTargetError) return failed(null, `refused: ${e.message}`, false);
    if (e instanceof OutboundTimeoutError) return failed(null, `timeout: ${e.message}`, true);
    return failed(null, `network error: ${describeError(e)}`, true);
  }
}
