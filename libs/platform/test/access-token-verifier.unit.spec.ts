import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM, ACCESS_TOKEN_TYPE } from '@bvs/contracts';
import { importPKCS8, SignJWT } from 'jose';
import { AccessTokenVerifier } from '../src/auth/access-token-verifier';
import { hasLowS, withLowS } from '../src/auth/es256-signature';
import { testSigningKeys } from '../src/testing/test-keys';

const KEYS = testSigningKeys();
const SETTINGS = { publicKeyPem: KEYS.publicKeyPem, keyId: KEYS.keyId, issuer: 'bvs-auth', audience: 'bvs' };

async function accessToken(userId: string, expiresInSeconds: number): Promise<string> {
  return new SignJWT({ sid: randomUUID() })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid: KEYS.keyId, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(SETTINGS.issuer)
    .setAudience(SETTINGS.audience)
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1_000) + expiresInSeconds)
    .sign(await importPKCS8(KEYS.privateKeyPem, ACCESS_TOKEN_ALGORITHM));
}

/** As auth issues them: in the low-S form. */
const issued = async (userId: string, expiresInSeconds: number) => withLowS(await accessToken(userId, expiresInSeconds));

describe('verifying access tokens', () => {
  afterEach(() => jest.useRealTimers());

  it('given a token verified once, when it comes again after its expiry, then it is refused although it was remembered', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-04T12:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const verifier = await AccessTokenVerifier.create(SETTINGS);
    const userId = randomUUID();
    const token = await issued(userId, 60);
    expect(await verifier.verify(token)).toMatchObject({ userId });
    jest.setSystemTime(new Date('2026-12-04T12:00:59Z'));
    expect(await verifier.verify(token)).toMatchObject({ userId });
    jest.setSystemTime(new Date('2026-12-04T12:01:00Z'));
    expect(await verifier.verify(token)).toBeUndefined();
  });

  it('given a remembered token, when one character of its signature changes, then the changed token is refused', async () => {
    const verifier = await AccessTokenVerifier.create(SETTINGS);
    const token = await issued(randomUUID(), 60);
    expect(await verifier.verify(token)).toBeDefined();
    const tampered = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
    expect(await verifier.verify(tampered)).toBeUndefined();
  });
});

describe('ES256 signatures in their one accepted form', () => {
  const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  /** The other spelling of the same signature: (r, n - s), which verifies just as well. */
  function flipS(token: string): string {
    const dot = token.lastIndexOf('.');
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
    const flipped = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
    return `${token.slice(0, dot)}.${Buffer.concat([signature.subarray(0, 32), flipped]).toString('base64url')}`;
  }

  it('given 40 signed tokens, when normalised, then every one is low-S and still verifies', async () => {
    const verifier = await AccessTokenVerifier.create(SETTINGS);
    const tokens = await Promise.all(Array.from({ length: 40 }, () => accessToken(randomUUID(), 60)));
    const normalised = tokens.map(withLowS);
    expect(normalised.every(hasLowS)).toBe(true);
    // OpenSSL gives the high form about half the time: the sample must contain some for the check above to mean anything.
    expect(tokens.filter((token) => !hasLowS(token)).length).toBeGreaterThan(0);
    for (const token of normalised) expect(await verifier.verify(token)).toBeDefined();
  });

  it('given a valid low-S token, when its signature is re-spelled in the high-S form, then the copy is refused', async () => {
    const verifier = await AccessTokenVerifier.create(SETTINGS);
    const token = withLowS(await accessToken(randomUUID(), 60));
    expect(await verifier.verify(token)).toBeDefined();
    const copy = flipS(token);
    expect(hasLowS(copy)).toBe(false);
    expect(await verifier.verify(copy)).toBeUndefined();
  });
});
