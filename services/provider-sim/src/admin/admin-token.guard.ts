import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ServiceError } from '@bvs/platform';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

/** `Authorization: Bearer <ADMIN_TOKEN>`. Digests are compared, so the check takes the same time for any guess. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(ADMIN_TOKEN) token: string) {
    this.expected = digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const offered = /^Bearer (.+)$/.exec(header)?.[1];
    if (offered === undefined || !timingSafeEqual(digest(offered), this.expected)) {
      throw new ServiceError('ADMIN.UNAUTHORIZED', 401, 'The admin endpoints need Authorization: Bearer <ADMIN_TOKEN>.');
    }
    return true;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
