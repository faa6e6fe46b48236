import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AutoPay } from '../auto-pay/auto-pay';
import { initializeAnswer, InitializeData, PaystackAnswer } from '../charge-view';
import { DEFAULT_CURRENCY } from '../domain/charge';
import { parseMinorAmount } from '../domain/minor-amount';
import { afterResponse } from '../http/after-response';
import { ProcessorKeyGuard } from '../http/processor-key.guard';
import { PROCESSOR_CONFIG, type ProcessorConfig } from '../processor-config';
import { InitializeChargeRequest } from './initialize-charge.request';
import { InitializeChargeService } from './initialize-charge.service';

/**
 * Paystack's `POST /transaction/initialize`: 200 with the checkout's URL and access code, the same
 * ones again for a repeated reference with the same money. No fault injection here: the vending
 * API's latency and failure rates belong to the vending provider, not to this processor.
 */
@Controller('processor/transaction')
@UseGuards(ProcessorKeyGuard)
export class InitializeChargeController {
  constructor(
    private readonly charges: InitializeChargeService,
    private readonly autoPay: AutoPay,
    @Inject(PROCESSOR_CONFIG) private readonly config: ProcessorConfig,
  ) {}

  @Post('initialize')
  @HttpCode(HttpStatus.OK)
  async initialize(
    @Body() body: InitializeChargeRequest,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PaystackAnswer<InitializeData>> {
    const amountMinor = parseMinorAmount(body.amount);
    // The pipe has checked the amount with the same parser; this is the type system catching up.
    if (amountMinor === null) throw new Error('unreachable: the request pipe accepted an amount parseMinorAmount refuses');
    const { reading, created } = await this.charges.initialize({
      reference: body.reference,
      email: body.email,
      amountMinor,
      currency: body.currency ?? DEFAULT_CURRENCY,
      callbackUrl: body.callback_url ?? null,
      metadata: body.metadata ?? null,
    });
    // Only a new charge: a replay of a paid charge has nothing left to pay, and a replay of an
    // ongoing one is a retrying merchant, whose customer may be at the checkout right now.
    if (created && this.autoPay.enabled()) {
      const accessCode = reading.charge.accessCode;
      afterResponse(response, () => this.autoPay.payLater(accessCode));
    }
    return initializeAnswer(reading.charge, this.config.checkoutBaseUrl ?? baseUrlOf(request));
  }
}

/**
 * The address the merchant reached the simulator at, when PROCESSOR_CHECKOUT_BASE_URL is not set:
 * right on one's own machine and in tests (port 0), where no fixed address is known in advance.
 */
function baseUrlOf(request: Request): string {
  return `${request.protocol}://${request.get('host') ?? 'localhost'}`;
}
