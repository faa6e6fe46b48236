import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ServiceError } from '@bvs/platform';
import { BearerSecret } from '../../http/bearer-secret';
import { PROCESSOR_CONFIG, type ProcessorConfig } from '../processor-config';

/**
 * `Authorization: Bearer <PROCESSOR_SECRET_KEY>` on the merchant API (initialize, verify), as
 * Paystack wants its secret key. Not the vending API's key: a different third party, a different
 * secret. The checkout has no guard: the customer's browser holds no key.
 */
@Injectable()
export class ProcessorKeyGuard implements CanActivate {
  private readonly key: BearerSecret;

  constructor(@Inject(PROCESSOR_CONFIG) config: ProcessorConfig) {
    this.key = new BearerSecret(config.secretKey);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.key.matches(context.switchToHttp().getRequest<Request>().headers.authorization)) {
      throw new ServiceError('PROCESSOR.INVALID_KEY', 401, 'Invalid key');
    }
    return true;
  }
}
