import { createHash } from 'node:crypto';

/** A real STS token is a 66-bit number (2-bit class + 64-bit encrypted block) written as 20 digits. */
const TOKEN_BITS = 66n;
const TOKEN_DIGITS = 20;

/**
 * A token shaped like an STS one: 20 plain digits (no separators; group them 4-4-4-4-4 for
 * display), value below 2^66 as in STS. Derived from the vend's identity rather than drawn at
 * random, so the token of a vend that resolves later, or is resolved twice by racing requests, is
 * the same every time.
 */
export function stsToken(requestId: string, meterNumber: string, amountKobo: bigint): string {
  const digest = createHash('sha256').update(`${requestId}\u0000${meterNumber}\u0000${amountKobo}`).digest();
  const value = BigInt(`0x${digest.subarray(0, 9).toString('hex')}`) % (1n << TOKEN_BITS);
  return value.toString().padStart(TOKEN_DIGITS, '0');
}
