/** The order of P-256, the curve of ES256. */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const SIGNATURE_BYTES = 64;
const HALF = SIGNATURE_BYTES / 2;

/*
 * ECDSA signatures are malleable: (r, s) and (r, n - s) both verify. Issuing and accepting only the
 * low form (s <= n / 2) gives every token exactly one spelling, so a re-spelled copy cannot pass as
 * a token never seen by anything keyed on the token (a cache, a revocation list). OpenSSL signs
 * with either form, so the issuer normalises what it signs.
 */

function parts(token: string): { readonly signedPart: string; readonly signature: Buffer } {
  const dot = token.lastIndexOf('.');
  return { signedPart: token.slice(0, dot), signature: Buffer.from(token.slice(dot + 1), 'base64url') };
}

function sOf(signature: Buffer): bigint {
  return BigInt(`0x${signature.subarray(HALF).toString('hex')}`);
}

/** True when the token's ES256 signature is 64 bytes in its low-S form. */
export function hasLowS(token: string): boolean {
  const { signature } = parts(token);
  return signature.length === SIGNATURE_BYTES && sOf(signature) <= P256_ORDER / 2n;
}

/** The same token with its signature in the low-S form: as valid as before, and the only form verifiers accept. */
export function withLowS(token: string): string {
  const { signedPart, signature } = parts(token);
  if (signature.length !== SIGNATURE_BYTES) throw new RangeError(`an ES256 signature is ${SIGNATURE_BYTES} bytes, not ${signature.length}`);
  const s = sOf(signature);
  if (s <= P256_ORDER / 2n) return token;
  const lowS = Buffer.from((P256_ORDER - s).toString(16).padStart(HALF * 2, '0'), 'hex');
  return `${signedPart}.${Buffer.concat([signature.subarray(0, HALF), lowS]).toString('base64url')}`;
}
