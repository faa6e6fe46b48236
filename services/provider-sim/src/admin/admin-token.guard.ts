import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ServiceError } from '@bvs/platform';
import { BearerSecret } from '../http/bearer-secret';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

/** `Authorization: Bearer <ADMIN_TOKEN>`. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly token: BearerSecret;

  constructor(@Inject(ADMIN_TOKEN) token: string) {
    this.token = new BearerSecret(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.token.matches(context.switchToHttp().getRequest<Request>().headers.authorization)) {
      throw new ServiceError('ADMIN.UNAUTHORIZED', 401, 'The admin endpoints need Authorization: Bearer <ADMIN_TOKEN>.');
    }
    return true;
  }
}
