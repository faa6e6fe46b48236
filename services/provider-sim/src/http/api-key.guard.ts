import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ServiceError } from '@bvs/platform';
import { BearerSecret } from './bearer-secret';

/** The API key clients of the simulated provider must send; undefined when API_KEY is not set. */
export const API_KEY = Symbol('API_KEY');

/**
 * `Authorization: Bearer <API_KEY>` on the provider's API (catalogue, meters, vend, requery), as
 * real vending APIs require a merchant key: a requery hands out a vend's token, so it must not
 * answer just anyone. With no API_KEY configured the API is open, for a simulator on one's own machine.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly key: BearerSecret | undefined;

  constructor(@Inject(API_KEY) key: string | undefined) {
    this.key = key === undefined ? undefined : new BearerSecret(key);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.key && !this.key.matches(context.switchToHttp().getRequest<Request>().headers.authorization)) {
      throw new ServiceError('AUTH.UNAUTHORIZED', 401, 'The provider API needs Authorization: Bearer <API key>.');
    }
    return true;
  }
}
