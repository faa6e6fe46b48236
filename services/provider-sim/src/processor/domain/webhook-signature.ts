import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-paystack-signature';

/**
 * Paystack's webhook signature: lowercase hex HMAC-SHA512 of the exact body bytes, keyed by the
 * merchant's secret key. The receiver must recompute it over the bytes it received, before any
 * JSON parsing, since re-serialising can change them.
 */
export function signWebhookBody(rawBody: Uint8Array, secretKey: string): string {
  return createHmac('sha512', secretKey).update(rawBody).digest('hex');
}
