import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <secret>` against a configured secret. Digests are compared, so the
 * check takes the same time for any guess, whatever its length.
 */
export class BearerSecret {
  private readonly expected: Buffer;

  constructor(secret: string) {
    this.expected = digest(secret);
  }

  matches(authorization: string | undefined): boolean {
    const offered = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    return offered !== undefined && timingSafeEqual(digest(offered), this.expected);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
