import { randomInt } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import { ChargeReading, ChargeRequest, sameMoney } from '../domain/charge';
import { ChargeStore } from '../persistence/charge-store';
import { PROCESSOR_CONFIG, type ProcessorConfig } from '../processor-config';

const ACCESS_CODE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ACCESS_CODE_LENGTH = 20;

export interface InitializeResult {
  readonly reading: ChargeReading;
  /** False when the reference was already known with the same money: nothing new was recorded. */
  readonly created: boolean;
}

@Injectable()
export class InitializeChargeService {
  private readonly logger = new Logger(InitializeChargeService.name);

  constructor(
    private readonly store: ChargeStore,
    @Inject(PROCESSOR_CONFIG) private readonly config: ProcessorConfig,
  ) {}

  /**
   * Records a charge, or finds the one already recorded under this reference: a merchant whose
   * initialize timed out sends it again and must get the same checkout, not a second charge.
   */
  async initialize(request: ChargeRequest): Promise<InitializeResult> {
    const inserted = await this.store.insertIfNew({ ...request, accessCode: newAccessCode(), ttlMs: this.config.chargeTtlMs });
    if (inserted) {
      this.logger.log(
        { reference: inserted.charge.reference, id: inserted.charge.id.toString(), amountMinor: inserted.charge.amountMinor.toString(), currency: inserted.charge.currency },
        'Charge initialized',
      );
      return { reading: inserted, created: true };
    }

    // The reference is taken (charges are never deleted), so this read finds the committed winner.
    const existing = await this.store.findByReference(request.reference);
    if (!existing) throw new Error(`Charge ${request.reference} conflicted on insert but cannot be read`);
    if (!sameMoney(existing.charge, request)) {
      throw new ServiceError('CHARGE.DUPLICATE_REFERENCE', 400, 'Duplicate Transaction Reference', { reference: request.reference });
    }
    return { reading: existing, created: false };
  }
}

/**
 * 20 characters of 36 (about 103 bits) from the CSPRNG, matching ACCESS_CODE_PATTERN: the code is
 * all a customer's browser needs to pay, so it must not be guessable.
 */
function newAccessCode(): string {
  let code = '';
  for (let index = 0; index < ACCESS_CODE_LENGTH; index += 1) code += ACCESS_CODE_ALPHABET.charAt(randomInt(ACCESS_CODE_ALPHABET.length));
  return code;
}
