import { Controller, Get, Param, UseGuards, UseInterceptors } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import { FaultInjector } from '../../behaviour/fault-injector';
import { LatencyInterceptor } from '../../behaviour/latency.interceptor';
import { lookupMeter } from '../../meters/domain/meter-directory';
import { REQUEST_ID_PATTERN } from '../domain/vend';
import { VendStore } from '../persistence/vend-store';
import { vendView, VendView } from '../vend-view';
import { ApiKeyGuard } from '../../http/api-key.guard';

/** The requery every real vending API offers: the current state of a vend, resolving it if due. */
@Controller('vend')
@UseGuards(ApiKeyGuard)
@UseInterceptors(LatencyInterceptor)
export class RequeryVendController {
  constructor(
    private readonly store: VendStore,
    private readonly faults: FaultInjector,
  ) {}

  @Get(':requestId')
  async requery(@Param('requestId') requestId: string): Promise<VendView> {
    if (!REQUEST_ID_PATTERN.test(requestId)) {
      throw new ServiceError('REQUEST.INVALID', 400, 'requestId must be 1 to 64 letters, digits, dots, colons, dashes or underscores.');
    }
    const vend = await this.store.find(requestId);
    if (!vend || lookupMeter(vend.meterNumber).sandbox === null) this.faults.refuseReadSometimes();
    if (!vend) {
      throw new ServiceError(
        'VEND.NOT_FOUND',
        404,
        `No vend with requestId ${requestId} has been recorded. A request still in flight may yet arrive: re-send POST /vend with the same requestId for a definite answer.`,
        { requestId },
      );
    }
    return vendView(await this.store.resolveIfDue(vend));
  }
}
