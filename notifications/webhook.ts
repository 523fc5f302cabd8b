import { createHmac, timingSafeEqual } from 'node:crypto';

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

export async function postWebhook(
  url: string,
  secret: string | undefined,
  id: string,
  body: string,
  timeoutMs = 10_000,
): Promise<void> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'idempotency-key': id,
    'user-agent': 'sons-engine',
  };
  if (secret) headers[SIGNATURE_HEADER] = signature(secret, body, Math.floor(Date.now() / 1000));
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
}
