import { Injectable, Logger } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import { FaultInjector, providerUnavailable } from '../../behaviour/fault-injector';
import type { TimeoutMode } from '../../behaviour/domain/behaviour';
import { findDisco } from '../../catalogue/domain/disco-catalogue';
import { lookupMeter } from '../../meters/domain/meter-directory';
import { decideVend, sandboxPlan } from '../domain/decide-vend';
import { sameRequest, Vend, VendRequest } from '../domain/vend';
import { VendStore } from '../persistence/vend-store';

export interface VendResult {
  readonly vend: Vend;
  /** True when the request id was already known: the stored vend is returned, nothing new happens. */
  readonly replayed: boolean;
  /** Set when the caller must not hear back in time, although the vend is stored. */
  readonly withholdResponse: TimeoutMode | null;
}

@Injectable()
export class VendService {
  private readonly logger = new Logger(VendService.name);

  constructor(
    private readonly faults: FaultInjector,
    private readonly store: VendStore,
  ) {}

  async vend(request: VendRequest): Promise<VendResult> {
    const meter = lookupMeter(request.meterNumber);
    const plan = meter.sandbox ? sandboxPlan(meter.sandbox) : this.faults.planVend();
    if (plan.kind === 'TRANSIENT_ERROR') throw providerUnavailable();

    const behaviour = this.faults.current();
    const decided = decideVend(request, findDisco(request.providerCode), meter, plan, behaviour.pendingResolveAfterMs);
    const inserted = await this.store.insertIfNew(decided);
    if (inserted) {
      this.logger.log(
        { requestId: inserted.requestId, providerReference: inserted.providerReference, status: inserted.status, reasonCode: inserted.reasonCode },
        'Vend recorded',
      );
      const withhold = plan.kind === 'SUCCEED' && plan.withholdResponse;
      return { vend: inserted, replayed: false, withholdResponse: withhold ? behaviour.timeoutMode : null };
    }

    // The request id is taken (vends are never deleted), so this read finds the committed winner.
    const existing = await this.store.find(request.requestId);
    if (!existing) throw new Error(`Vend ${request.requestId} conflicted on insert but cannot be read`);
    if (!sameRequest(existing, request)) {
      throw new ServiceError(
        'VEND.REQUEST_ID_CONFLICT',
        409,
        `requestId ${request.requestId} was already used for a different vend; use a new requestId for a new vend.`,
        { requestId: request.requestId },
      );
    }
    return { vend: await this.store.resolveIfDue(existing), replayed: true, withholdResponse: null };
  }
}
