import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { checkoutAnswer, CheckoutData, paymentAnswer, PaymentData, PaystackAnswer } from '../charge-view';
import { ACCESS_CODE_PATTERN } from '../domain/charge';
import { afterResponse } from '../http/after-response';
import { ChargeStore } from '../persistence/charge-store';
import { ChargeWebhookSender } from '../webhook/charge-webhook-sender';
import { PayChargeRequest } from './pay-charge.request';
import { accessCodeNotFound, PayChargeService } from './pay-charge.service';

/**
 * The checkout page `authorization_url` points at, as JSON: what the customer's browser would show
 * and post. No key: the access code is the customer's only credential, as at Paystack.
 */
@Controller('processor/checkout')
export class CheckoutController {
  constructor(
    private readonly store: ChargeStore,
    private readonly payments: PayChargeService,
    private readonly webhooks: ChargeWebhookSender,
  ) {}

  @Get(':accessCode')
  async describe(@Param('accessCode') accessCode: string): Promise<PaystackAnswer<CheckoutData>> {
    // A code of another shape was never handed out; no need to ask the database.
    const reading = ACCESS_CODE_PATTERN.test(accessCode) ? await this.store.findByAccessCode(accessCode) : null;
    if (!reading) throw accessCodeNotFound();
    return checkoutAnswer(reading);
  }

  /**
   * 200 whenever the payment attempt ended the charge, declined or not: the HTTP status speaks of
   * the request, `data.status` of the payment. The webhook of a success leaves after this answer.
   */
  @Post(':accessCode/pay')
  @HttpCode(HttpStatus.OK)
  async pay(
    @Param('accessCode') accessCode: string,
    @Body() body: PayChargeRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PaystackAnswer<PaymentData>> {
    if (!ACCESS_CODE_PATTERN.test(accessCode)) throw accessCodeNotFound();
    const settled = await this.payments.pay(accessCode, {
      cardNumber: body.card_number ?? null,
      amountMinor: body.amount === undefined ? null : BigInt(body.amount),
      currency: body.currency ?? null,
    });
    afterResponse(response, () => this.webhooks.announce(settled));
    return paymentAnswer(settled.charge);
  }
}
