import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import { FaultInjector } from '../../behaviour/fault-injector';
import { LatencyInterceptor } from '../../behaviour/latency.interceptor';
import { providerView, ProviderView } from '../../catalogue/list-providers.controller';
import { findDisco } from '../../catalogue/domain/disco-catalogue';
import { lookupMeter } from '../domain/meter-directory';
import { VerifyMeterRequest } from './verify-meter.request';
import { ApiKeyGuard } from '../../http/api-key.guard';

/** The disco's terms are repeated so a client can check the amount before it vends. */
export interface VerifiedMeterView {
  readonly providerCode: string;
  readonly providerName: string;
  readonly meterNumber: string;
  readonly meterType: ProviderView['meterType'];
  readonly customerName: string;
  readonly address: string;
  readonly minimumAmount: number;
  readonly maximumAmount: number;
  readonly fee: number;
  readonly currency: string;
}

/** Shows whose meter it is, so the payer can confirm before any money moves (Baxi, VTpass, Pay4Power all insist). */
@Controller('meters')
@UseGuards(ApiKeyGuard)
@UseInterceptors(LatencyInterceptor)
export class VerifyMeterController {
  constructor(private readonly faults: FaultInjector) {}

  @Post('verify')
  @HttpCode(HttpStatus.OK)
  verify(@Body() request: VerifyMeterRequest): VerifiedMeterView {
    const meter = lookupMeter(request.meterNumber);
    if (meter.sandbox === null) this.faults.refuseReadSometimes();
    const disco = findDisco(request.providerCode);
    if (!disco) {
      throw new ServiceError('PROVIDER.NOT_FOUND', 404, `No provider has the code ${request.providerCode}; see GET /providers.`);
    }
    if (!meter.found) {
      throw new ServiceError('METER.NOT_FOUND', 404, `${disco.name} knows no meter ${request.meterNumber}.`);
    }
    if (meter.blocked) {
      throw new ServiceError('METER.BLOCKED', 422, `Meter ${request.meterNumber} is blocked by ${disco.name}; it cannot be vended to.`);
    }
    const terms = providerView(disco);
    return {
      providerCode: disco.code,
      providerName: disco.name,
      meterNumber: request.meterNumber,
      meterType: disco.meterType,
      customerName: meter.customer.name,
      address: meter.customer.address,
      minimumAmount: terms.minimumAmount,
      maximumAmount: terms.maximumAmount,
      fee: terms.fee,
      currency: terms.currency,
    };
  }
}
