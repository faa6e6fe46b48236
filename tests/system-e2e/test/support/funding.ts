import { randomUUID } from 'node:crypto';
import { eventually } from '@bvs/platform/testing';
import { call } from './http';

/** A FUNDING as the gateway answers the fund request (and GET /api/transactions/{id}). */
export interface Funding {
  readonly id: string;
  readonly status: string;
  readonly amount: number;
  readonly reference: string;
  readonly details: Record<string, string>;
  readonly processorReference?: string | null;
  readonly checkoutUrl?: string | null;
}

/**
 * Funds the caller's wallet as a client does: the fund request (202, a PENDING FUNDING whose charge
 * the simulator's sandbox card pays at once), then the funding read back until the processor's
 * verified webhook has COMPLETED it. Fails the test if the request is refused or never completes.
 * `api` is the gateway's base URL including `/api`.
 */
export async function fundAndAwaitCredit(api: string, token: string, amount: number, reference = `fund-${randomUUID()}`): Promise<Funding> {
  const started = await call<Funding>(api, '/wallets/fund', { token, body: { amount, reference } });
  if (started.status !== 202 && started.status !== 201) throw new Error(`funding ${reference} answered ${started.status}: ${JSON.stringify(started.body)}`);
  if (started.body.status === 'COMPLETED') return started.body;
  return eventually(
    async () => {
      const read = await call<Funding>(api, `/transactions/${started.body.id}`, { token });
      if (read.body.status === 'FAILED') throw new Error(`funding ${reference} FAILED: ${JSON.stringify(read.body)}`);
      return read.body.status === 'COMPLETED' ? read.body : undefined;
    },
    `funding ${reference} to be credited`,
  );
}
