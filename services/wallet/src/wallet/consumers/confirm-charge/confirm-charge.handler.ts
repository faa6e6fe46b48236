import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Alerts, enqueueEvent, MetricsRegistry } from '@bvs/platform';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { WalletEnv } from '../../../config/wallet-env';
import { decideChargeConfirmation, screenClaim, type ConfirmationDecision, type ConfirmationOutcome } from '../../domain/decide-charge-confirmation';
import type { Origin } from '../../domain/outbox-event';
import { chargeClaimOf, type ChargeVerification } from '../../domain/processor-charge';
import { REFUSALS } from '../../domain/wallet-refusal';
import { FundingRepository, type PendingFunding } from '../../persistence/funding-repository';
import { LedgerRepository } from '../../persistence/ledger-repository';
import { WalletRepository } from '../../persistence/wallet-repository';
import { PaymentProcessor, ProcessorUnavailableError } from '../../processor/payment-processor';
import { toServiceError } from '../../service-errors';

/** Webhooks refused before any funding is looked at. */
type RefusedWebhook = 'FORGED' | 'MALFORMED';

/**
 * Funding through the payment processor, step two: a charge the processor reports paid is
 * credited to its funding's wallet, exactly once.
 *
 * A webhook is first authenticated (HMAC-SHA512 over the raw body with the processor's secret
 * key), then held against the funding it names (screenClaim), then the processor is asked for the
 * charge (verify): only its answer can credit. The credit runs in one transaction with the funding
 * locked: the funding COMPLETED, one CREDIT entry, the wallet's balance and `wallet-funded` in the
 * outbox. A second webhook, a replay or the reconciler finds the funding COMPLETED and credits
 * nothing; the unique CREDIT-per-transaction constraint would refuse a second credit anyway.
 * Every webhook that credits nothing is logged (without its body) and counted by outcome.
 */
@Injectable()
export class ConfirmChargeHandler {
  private readonly logger = new Logger(ConfirmChargeHandler.name);
  private readonly webhooks: Counter<'outcome'>;
  private readonly reconciliations: Counter<'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly wallets: WalletRepository,
    private readonly fundings: FundingRepository,
    private readonly ledger: LedgerRepository,
    @Inject(PaymentProcessor) private readonly processor: PaymentProcessor,
    private readonly env: WalletEnv,
    private readonly alerts: Alerts,
    metrics: MetricsRegistry,
  ) {
    this.webhooks = new Counter({
      name: 'bvs_wallet_processor_webhooks_total',
      help: 'Payment-processor webhooks by outcome: CREDITED, or why nothing was credited',
      labelNames: ['outcome'],
      registers: [metrics],
    });
    this.reconciliations = new Counter({
      name: 'bvs_wallet_funding_reconciliations_total',
      help: 'Pending fundings verified with the processor by the reconciler, by outcome',
      labelNames: ['outcome'],
      registers: [metrics],
    });
  }

  /** A webhook as the processor sent it. Throws 401 for a bad signature, 400 for a body that is no charge event, 503 when the processor cannot be asked. */
  async acceptWebhook(rawBody: Uint8Array, signature: string, origin: Origin): Promise<ConfirmationOutcome> {
    if (!this.processor.isSignedWebhook(rawBody, signature)) {
      this.refuse('FORGED', origin, 'A payment-processor webhook was refused: its signature does not match its body');
      throw toServiceError(REFUSALS.webhookSignatureInvalid());
    }
    const claim = chargeClaimOf(parseJson(rawBody));
    if (!claim) {
      this.refuse('MALFORMED', origin, 'A signed payment-processor webhook was refused: its body is not a charge event');
      throw toServiceError(REFUSALS.webhookMalformed());
    }
    const screening = screenClaim(claim, await this.fundings.findByProcessorReference(this.dataSource.manager, claim.processorReference));
    if (screening.kind === 'NO_CREDIT') {
      this.report(this.webhooks, screening.outcome, claim.processorReference, origin, 'webhook');
      return screening.outcome;
    }
    const outcome = await this.confirm(claim.processorReference, origin);
    this.report(this.webhooks, outcome, claim.processorReference, origin, 'webhook');
    return outcome;
  }

  /** A pending funding no webhook has settled, asked about by the reconciler. Throws when the processor cannot be asked. */
  async reconcile(pending: PendingFunding): Promise<ConfirmationOutcome> {
    const origin = { correlationId: `funding-reconciliation-${randomUUID()}`, causationId: null };
    const outcome = await this.confirm(pending.processorReference, origin, pending.transactionId);
    this.report(this.reconciliations, outcome, pending.processorReference, origin, 'reconciliation');
    return outcome;
  }

  private async confirm(processorReference: string, origin: Origin, reconciledTransactionId?: string): Promise<ConfirmationOutcome> {
    let verification: ChargeVerification;
    try {
      verification = await this.processor.verify(processorReference);
    } catch (error) {
      if (!(error instanceof ProcessorUnavailableError)) throw error;
      this.logger.warn({ err: error, processorReference }, 'The processor could not verify a charge; it is asked again later');
      throw toServiceError(REFUSALS.processorUnavailable());
    }
    return this.dataSource.transaction(async (manager) => {
      const funding = await this.fundings.lockByProcessorReference(manager, processorReference);
      if (!funding) return 'UNKNOWN_REFERENCE';
      const wallet = (await this.wallets.lockAll(manager, [funding.walletId])).get(funding.walletId);
      if (!wallet) throw new Error(`funding ${funding.id} names wallet ${funding.walletId}, which does not exist`);
      const decision: ConfirmationDecision = decideChargeConfirmation({ funding, recordedAt: funding.createdAt, wallet }, verification, {
        eventId: randomUUID(),
        now: new Date(),
        origin,
        abandonAfterMs: this.env.FUNDING_ABANDON_AFTER_MS,
      });
      switch (decision.kind) {
        case 'CREDIT':
          if (!(await this.wallets.saveBalance(manager, decision.entry))) throw new Error(`wallet ${wallet.id} moved under its lock`);
          await this.fundings.complete(manager, decision.completion);
          await this.ledger.recordEntry(manager, decision.entry);
          await enqueueEvent(manager, decision.publish.topic, decision.publish.event);
          return 'CREDITED';
        case 'FAIL':
          await this.fundings.fail(manager, decision.transactionId, decision.failureReason);
          if (decision.alert) {
            await this.alerts.raise(
              {
                alert: decision.alert,
                summary: 'The processor took a different sum than the funding asked for; nothing was credited and the customer must be settled with the processor',
                details: { processorReference, transactionId: decision.transactionId, correlationId: origin.correlationId },
              },
              manager,
            );
          }
          return decision.outcome;
        case 'NO_CREDIT':
          if (reconciledTransactionId) await this.fundings.markChecked(manager, reconciledTransactionId);
          return decision.outcome;
      }
    });
  }

  private refuse(outcome: RefusedWebhook, origin: Origin, message: string): void {
    this.webhooks.inc({ outcome });
    this.logger.warn({ webhookOutcome: outcome, correlationId: origin.correlationId }, message);
  }

  private report(counter: Counter<'outcome'>, outcome: ConfirmationOutcome, processorReference: string, origin: Origin, source: string): void {
    counter.inc({ outcome });
    const fields = { [`${source}Outcome`]: outcome, processorReference, correlationId: origin.correlationId };
    if (outcome === 'CREDITED') this.logger.log(fields, `A funding was credited after its charge was verified (${source})`);
    else if (outcome === 'NOT_SUCCESSFUL') this.logger.log(fields, `A charge is not paid yet; nothing was credited (${source})`);
    else this.logger.warn(fields, `A ${source} credited nothing: ${outcome}`);
  }
}

function parseJson(rawBody: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(rawBody).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
