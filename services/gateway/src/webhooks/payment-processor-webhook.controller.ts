import { Controller, Headers, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CallContext } from '@bvs/platform';
import { PublicRoute } from '@bvs/platform';
import { BackendClients } from '../backends/backend-clients';
import { ServiceCall } from '../backends/service-call.decorator';
import { ApiProblems } from '../http/api-problems.decorator';
import { rawBodyOf, type RequestWithRawBody } from '../http/json-body.middleware';
import { ProblemError } from '../http/problem-error';

/** The header Paystack signs its webhooks in: lower-case hex HMAC-SHA512 of the raw body. */
export const PROCESSOR_SIGNATURE_HEADER = 'x-paystack-signature';

/**
 * Where the payment processor reports charges. It carries no access token: the body's signature,
 * checked by the wallet (which alone holds the processor's key), is the credential, and the wallet
 * then asks the processor itself before crediting anything. The gateway passes the body on
 * byte for byte, since re-serialised JSON would no longer match the signature.
 *
 * Answers: 200 with the outcome for any authentic webhook, including ones that credit nothing (a
 * replay, another amount), since sending them again cannot change that; 401 for a bad signature;
 * 503 when the processor could not be asked, so that the processor sends it again later.
 */
@ApiTags('webhooks')
@Controller('webhooks')
export class PaymentProcessorWebhookController {
  constructor(private readonly backends: BackendClients) {}

  @Post('paystack')
  @PublicRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "The payment processor's charge notifications (called by the processor, not by users)",
    description:
      'A Paystack-shaped `charge.success` event, signed with HMAC-SHA512 of the raw body under the processor secret key. ' +
      'Nothing is credited on its word alone: the wallet verifies the charge with the processor, and credits a funding once. ' +
      'Replayed, forged, tampered, wrong-amount, wrong-currency and unknown-reference webhooks credit nothing.',
  })
  @ApiHeader({ name: PROCESSOR_SIGNATURE_HEADER, required: true, description: 'Lower-case hex HMAC-SHA512 of the raw body.' })
  @ApiOkResponse({ description: 'Authentic; `outcome` says what it did: CREDITED, or why nothing was credited.', schema: { type: 'object', properties: { outcome: { type: 'string' } } } })
  @ApiProblems({ 400: 'WALLET.WEBHOOK_MALFORMED', 401: 'WALLET.WEBHOOK_SIGNATURE_INVALID' })
  async receive(
    @Req() request: RequestWithRawBody,
    @Headers(PROCESSOR_SIGNATURE_HEADER) signature: string | undefined,
    @ServiceCall() call: CallContext,
  ): Promise<{ outcome: string }> {
    const payload = rawBodyOf(request);
    if (!payload) throw new ProblemError(400, 'REQUEST.MALFORMED_JSON', 'Bad Request', 'The webhook must carry a JSON body.');
    const receipt = await this.backends.wallet.call('AcceptProcessorWebhook', { payload, signature: signature ?? '' }, call);
    return { outcome: receipt.outcome };
  }
}
