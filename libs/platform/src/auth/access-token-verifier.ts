import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from '@bvs/contracts';
import { importSPKI, jwtVerify } from 'jose';
import { ExpiringLruCache } from '../caching/expiring-lru-cache';
import { hasLowS } from './es256-signature';

/** The caller, as the verified access token says: never taken from a request body. */
export interface AuthenticatedUser {
  readonly userId: string;
  readonly sessionId: string;
}

/** What a token must match: auth's public key and key id, the issuer and the audience. */
export interface AccessTokenSettings {
  readonly publicKeyPem: string;
  readonly keyId: string;
  readonly issuer: string;
  readonly audience: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Tokens remembered as verified, at most. A client sends the same token with every request until it
 * expires, and each service would check the same ES256 signature again; about 0.5 KiB each.
 */
export const MAX_VERIFIED_TOKENS = 10_000;

interface VerifiedToken {
  readonly user: AuthenticatedUser;
  readonly expiresAtMs: number;
}

/**
 * Checks an access token without calling auth: signature with auth's public key, ES256 only (so
 * `none` and HMAC-with-the-public-key tricks fail) in its low-S form only, the expected kid, type,
 * issuer and audience, expiry, and the claims we rely on. Anything off yields undefined; callers refuse without saying
 * which check failed. Every service that acts for a user runs this itself.
 *
 * A token that passed is remembered (the exact string, at most MAX_VERIFIED_TOKENS, least recently
 * used first out) until its own expiry: nothing a signed token says can change before then, so the
 * signature need not be checked again. This answers only what the token says; whether its session
 * has been revoked since is another question, for the caller to ask on every request.
 */
export class AccessTokenVerifier {
  private readonly verified = new ExpiringLruCache<string, AuthenticatedUser>(MAX_VERIFIED_TOKENS);

  private constructor(
    private readonly key: Awaited<ReturnType<typeof importSPKI>>,
    private readonly settings: AccessTokenSettings,
  ) {}

  static async create(settings: AccessTokenSettings): Promise<AccessTokenVerifier> {
    return new AccessTokenVerifier(await importSPKI(settings.publicKeyPem, ACCESS_TOKEN_ALGORITHM), settings);
  }

  async verify(token: string): Promise<AuthenticatedUser | undefined> {
    const remembered = this.verified.get(token);
    if (remembered) return remembered;
    const checked = await this.check(token);
    if (checked) this.verified.set(token, checked.user, checked.expiresAtMs);
    return checked?.user;
  }

  private async check(token: string): Promise<VerifiedToken | undefined> {
    if (!hasLowS(token)) return undefined;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.key, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'sid'],
      });
      if (protectedHeader.kid !== this.settings.keyId) return undefined;
      const { sub, sid, exp } = payload;
      if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid) || typeof exp !== 'number') return undefined;
      return { user: { userId: sub, sessionId: sid }, expiresAtMs: exp * 1_000 };
    } catch {
      return undefined;
    }
  }
}

/** The token of an `Authorization: Bearer <jwt>` header or metadata value, if it has that shape. */
export function bearerTokenOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(value)?.[1];
}
