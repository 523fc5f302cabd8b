import { createHmac, timingSafeEqual } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookTarget } from './webhook-target';

/**
 * An éditeur's webhook: the notification's JSON, signed with the éditeur's secret so its system can
 * tell it came from the engine — `X-Sons-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
 * — and carrying `Idempotency-Key: <notification id>`, the same at every retry.
 */
export const SIGNATURE_HEADER = 'x-sons-signature';

export function signature(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver checks: the signature is ours for this body, and recent (a replay is refused). */
export function verifySignature(
  secret: string,
  body: string,
  header: string | undefined,
  now = Date.now(),
  toleranceSeconds = 300,
): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signature(secret, body, t).split('v1=')[1]!, 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

/** A delivery that failed: the operators' detail, and whether trying again could ever succeed. */
export class WebhookFailed extends Error {
  constructor(
    message: string,
    /** a webhook refused by the address check, or without a secret: never tried again */
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'WebhookFailed';
  }
}

/**
 * Posts a notification to a checked target (notifications/webhook-target.ts): the connection goes to
 * the address that was checked — whatever the name resolves to by now — TLS still verifies the
 * certificate against the name; a redirect is an answer like any other, never followed; the whole
 * exchange, answer included, ends within `timeoutMs`.
 */
export function postWebhook(
  target: WebhookTarget,
  secret: string,
  id: string,
  body: string,
  timeoutMs = 10_000,
): Promise<void> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'idempotency-key': id,
    'user-agent': 'sons-engine',
    [SIGNATURE_HEADER]: signature(secret, body, Math.floor(Date.now() / 1000)),
  };
  const pinned: LookupFunction = (_hostname, options, callback) => {
    // net asks for every address when it may try several (autoSelectFamily): it gets the checked one only
    if ((options as { all?: boolean }).all)
      (callback as (e: null, a: LookupAddress[]) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const secure = target.url.protocol === 'https:';
  const options: https.RequestOptions = {
    method: 'POST',
    host: target.host,
    port: target.port,
    path: `${target.url.pathname}${target.url.search}`,
    headers,
    lookup: pinned,
    agent: false,
    signal: AbortSignal.timeout(timeoutMs),
    ...(secure && !isIP(target.host) ? { servername: target.host } : {}),
  };
  return new Promise<void>((resolve, reject) => {
    const request = (secure ? https : http).request(options, (response) => {
      const status = response.statusCode ?? 0;
      // the answer's body is not read: only its status counts, and the connection closes now
      response.destroy();
      if (status >= 200 && status < 300) resolve();
      else if (status >= 300 && status < 400)
        reject(new WebhookFailed(`the webhook answered ${status} (a redirect is not followed)`));
      else reject(new WebhookFailed(`the webhook answered ${status}`));
    });
    request.once('error', (err: Error) =>
      reject(new WebhookFailed(err.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : err.message)),
    );
    request.end(body);
  });
}
