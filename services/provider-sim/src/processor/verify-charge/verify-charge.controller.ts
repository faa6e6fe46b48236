import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import { PaystackAnswer, TransactionData, verifyAnswer } from '../charge-view';
import { CHARGE_REFERENCE_PATTERN } from '../domain/charge';
import { ProcessorKeyGuard } from '../http/processor-key.guard';
import { ChargeStore } from '../persistence/charge-store';

/**
 * Paystack's `GET /transaction/verify/:reference`: the charge as it stands, which is what a
 * merchant must credit from (never from the webhook's body alone). 200 for any known charge,
 * whatever its status; `data.amount` is what was paid once paid.
 */
@Controller('processor/transaction')
@UseGuards(ProcessorKeyGuard)
export class VerifyChargeController {
  constructor(private readonly store: ChargeStore) {}

  @Get('verify/:reference')
  async verify(@Param('reference') reference: string): Promise<PaystackAnswer<TransactionData>> {
    // A reference of another shape could never have been initialized, so it is simply not found.
    const reading = CHARGE_REFERENCE_PATTERN.test(reference) ? await this.store.findByReference(reference) : null;
    if (!reading) throw new ServiceError('CHARGE.NOT_FOUND', 404, 'Transaction reference not found');
    return verifyAnswer(reading);
  }
}
