import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from '@bvs/contracts';
import { importSPKI, jwtVerify } from 'jose';

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
 * Checks an access token without calling auth: signature with auth's public key, ES256 only (so
 * `none` and HMAC-with-the-public-key tricks fail), the expected kid, type, issuer and audience,
 * expiry, and the claims we rely on. Anything off yields undefined; callers refuse without saying
 * which check failed. Every service that acts for a user runs this itself.
 */
export class AccessTokenVerifier {
  private constructor(
    private readonly key: Awaited<ReturnType<typeof importSPKI>>,
    private readonly settings: AccessTokenSettings,
  ) {}

  static async create(settings: AccessTokenSettings): Promise<AccessTokenVerifier> {
    return new AccessTokenVerifier(await importSPKI(settings.publicKeyPem, ACCESS_TOKEN_ALGORITHM), settings);
  }

  async verify(token: string): Promise<AuthenticatedUser | undefined> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.key, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'sid'],
      });
      if (protectedHeader.kid !== this.settings.keyId) return undefined;
      const { sub, sid } = payload;
      if (typeof sub !== 'string' || !UUID.test(sub) || typeof sid !== 'string' || !UUID.test(sid)) return undefined;
      return { userId: sub, sessionId: sid };
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
