import { amountWithinLimits } from '../../catalogue/domain/disco-catalogue';
import type { Disco, MeterType } from '../../catalogue/domain/disco';
import type { VendPlan } from '../../behaviour/domain/vend-plan';
import type { MeterLookup, SandboxScenario } from '../../meters/domain/meter-directory';
import { stsToken } from './sts-token';
import { unitsKwhFor } from './units';
import type { Delivery, FailureReason, NewVend, VendRequest } from './vend';

const NOTHING_DELIVERED: Delivery = { token: null, unitsKwh: null };

/**
 * What happens to a vend request that reached the provider. Refusals on the merits (unknown disco
 * or meter, blocked meter, amount out of range) come first and win over any plan, exactly as a
 * provider checks before it talks to the disco; the plan decides the rest.
 */
export function decideVend(
  request: VendRequest,
  disco: Disco | undefined,
  meter: MeterLookup,
  plan: VendPlan,
  pendingResolveAfterMs: number,
): NewVend {
  const base = {
    ...request,
    meterType: disco?.meterType ?? null,
    feeKobo: disco?.feeKobo ?? null,
    tariffKoboPerKwh: disco?.tariffKoboPerKwh ?? null,
    customerName: meter.found ? meter.customer.name : null,
  };
  const refused = (reasonCode: FailureReason): NewVend => ({
    ...base,
    ...NOTHING_DELIVERED,
    status: 'FAILED',
    reasonCode,
    pending: null,
  });
  if (!disco) return refused('PROVIDER.NOT_FOUND');
  if (!meter.found) return refused('METER.NOT_FOUND');
  if (meter.blocked) return refused('METER.BLOCKED');
  if (!amountWithinLimits(disco, request.amountKobo)) return refused('AMOUNT.OUT_OF_RANGE');
  switch (plan.kind) {
    case 'SUCCEED':
      return { ...base, ...deliveryFor(request, disco.meterType, disco.tariffKoboPerKwh), status: 'SUCCESS', reasonCode: null, pending: null };
    case 'DECLINE':
      return refused('VEND.DECLINED');
    case 'PEND':
      return {
        ...base,
        ...NOTHING_DELIVERED,
        status: 'PENDING',
        reasonCode: null,
        pending: {
          status: plan.resolvesTo,
          reasonCode: plan.resolvesTo === 'FAILED' ? 'VEND.DECLINED' : null,
          afterMs: pendingResolveAfterMs,
        },
      };
  }
}

/** A prepaid vend delivers a token and units; a postpaid one pays a bill and delivers neither. */
export function deliveryFor(request: VendRequest, meterType: MeterType, tariffKoboPerKwh: bigint): Delivery {
  if (meterType === 'POSTPAID') return NOTHING_DELIVERED;
  return {
    token: stsToken(request.requestId, request.meterNumber, request.amountKobo),
    unitsKwh: unitsKwhFor(request.amountKobo, tariffKoboPerKwh),
  };
}

/** Sandbox meters ignore the rates. Blocked and unknown meters are refused before any plan matters. */
export function sandboxPlan(scenario: SandboxScenario): VendPlan {
  switch (scenario) {
    case 'DECLINE':
      return { kind: 'DECLINE' };
    case 'PEND_THEN_SUCCEED':
      return { kind: 'PEND', resolvesTo: 'SUCCESS' };
    case 'PEND_THEN_DECLINE':
      return { kind: 'PEND', resolvesTo: 'FAILED' };
    case 'WITHHOLD_RESPONSE':
      return { kind: 'SUCCEED', withholdResponse: true };
    case 'SUCCEED':
    case 'BLOCKED':
    case 'NOT_FOUND':
      return { kind: 'SUCCEED', withholdResponse: false };
  }
}
