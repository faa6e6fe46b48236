import { createHmac, sign } from 'node:crypto';
import { withLowS } from '@bvs/platform';

/**
 * Hand-made JWTs for the tests that prove the gateway refuses bad tokens: built with node:crypto
 * directly, so no library's safety checks stand between the test and the token it wants.
 */
export interface ForgedClaims {
  readonly iss?: string;
  readonly aud?: string;
  readonly sub?: string;
  readonly sid?: string;
  readonly iat?: number;
  readonly exp?: number;
}

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signed as auth signs: ES256 with the signature in its low-S form, the only one services accept. */
export function signEs256(header: object, claims: ForgedClaims, privateKeyPem: string): string {
  const signingInput = `${encode({ alg: 'ES256', ...header })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKeyPem, dsaEncoding: 'ieee-p1363' });
  return withLowS(`${signingInput}.${signature.toString('base64url')}`);
}

/** The same ES256 token with its signature re-spelled as (r, n - s): it verifies mathematically, and must still be refused. */
export function withHighS(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  const highS = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  return `${token.slice(0, dot)}.${Buffer.concat([signature.subarray(0, 32), highS]).toString('base64url')}`;
}

/** The classic confusion attack: HS256 keyed with the (public) verification key. */
export function signHs256WithKey(header: object, claims: ForgedClaims, keyText: string): string {
  const signingInput = `${encode({ ...header, alg: 'HS256' })}.${encode(claims)}`;
  return `${signingInput}.${createHmac('sha256', keyText).update(signingInput).digest('base64url')}`;
}

export function unsigned(header: object, claims: ForgedClaims): string {
  return `${encode({ ...header, alg: 'none' })}.${encode(claims)}.`;
}

export function decodeClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export function decodeHeader(token: string): Record<string, unknown> {
  const part = token.split('.')[0] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
