import { Body, Controller, HttpCode, HttpStatus, Post, Req, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FaultInjector } from '../../behaviour/fault-injector';
import { LatencyInterceptor } from '../../behaviour/latency.interceptor';
import { vendView, VendView } from '../vend-view';
import { VendHttpRequest } from './vend.request';
import { VendService } from './vend.service';
import { ApiKeyGuard } from '../../http/api-key.guard';

export const REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * HTTP 200 whenever the provider has an answer for the request id, whatever the vend's status:
 * the HTTP status speaks of the request, `status` of the vend, as VTpass and Pay4Power do.
 */
@Controller('vend')
@UseGuards(ApiKeyGuard)
@UseInterceptors(LatencyInterceptor)
export class VendController {
  constructor(
    private readonly vending: VendService,
    private readonly faults: FaultInjector,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  async vend(@Body() body: VendHttpRequest, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<VendView> {
    const result = await this.vending.vend({
      requestId: body.requestId,
      providerCode: body.providerCode,
      meterNumber: body.meterNumber,
      amountKobo: BigInt(body.amount),
    });
    if (result.replayed) response.setHeader(REPLAYED_HEADER, 'true');
    if (result.withholdResponse === 'DROP') {
      // The vend is committed; the caller only loses the answer, as when a provider's link drops.
      request.socket.destroy();
    } else if (result.withholdResponse === 'HOLD') {
      await this.faults.withholdResponse();
    }
    return vendView(result.vend);
  }
}
