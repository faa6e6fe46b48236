import { Controller, Get, UseGuards, UseInterceptors } from '@nestjs/common';
import { LatencyInterceptor } from '../behaviour/latency.interceptor';
import { jsonAmount } from '../http/json-amount';
import { CURRENCY, Disco, MeterType } from './domain/disco';
import { DISCO_CATALOGUE } from './domain/disco-catalogue';
import { ApiKeyGuard } from '../http/api-key.guard';

export interface ProviderView {
  readonly code: string;
  readonly name: string;
  readonly meterType: MeterType;
  readonly minimumAmount: number;
  readonly maximumAmount: number;
  readonly fee: number;
  readonly tariffPerKwh: number;
  readonly currency: string;
}

/** The disco catalogue. Static, so it never fails on purpose; it is only slowed by the latency knob. */
@Controller('providers')
@UseGuards(ApiKeyGuard)
@UseInterceptors(LatencyInterceptor)
export class ListProvidersController {
  @Get()
  list(): { providers: ProviderView[] } {
    return { providers: DISCO_CATALOGUE.map(providerView) };
  }
}

export function providerView(disco: Disco): ProviderView {
  return {
    code: disco.code,
    name: disco.name,
    meterType: disco.meterType,
    minimumAmount: jsonAmount(disco.minimumAmountKobo),
    maximumAmount: jsonAmount(disco.maximumAmountKobo),
    fee: jsonAmount(disco.feeKobo),
    tariffPerKwh: jsonAmount(disco.tariffKoboPerKwh),
    currency: CURRENCY,
  };
}
