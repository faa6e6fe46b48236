import type { ChargeVerification } from '../domain/processor-charge';

/** A charge to ask the processor for: our reference for it, exactly what to take, and whose it is. */
export interface ChargeOrder {
  readonly processorReference: string;
  readonly amount: bigint;
  readonly currency: string;
  readonly customerEmail: string;
  readonly callbackUrl: string | undefined;
}

export interface InitializedCharge {
  /** The processor's checkout page, where the customer pays. */
  readonly checkoutUrl: string;
}

/** The processor could not be asked, or did not answer in its documented shape: nothing can be concluded, so ask again later. */
export class ProcessorUnavailableError extends Error {
  override readonly name = 'ProcessorUnavailableError';
}

/**
 * The payment processor as the wallet uses it: start a charge, ask what became of it, and tell its
 * webhooks from forgeries. The processor holds the customer's money until it confirms; the wallet
 * credits only what `verify` reports paid.
 */
export abstract class PaymentProcessor {
  /** Starts the charge, or finds the one already started under the same reference. */
  abstract initialize(order: ChargeOrder): Promise<InitializedCharge>;

  /** The processor's own account of the charge: the only ground for crediting. */
  abstract verify(processorReference: string): Promise<ChargeVerification>;

  /** True when the webhook's signature is the processor's over exactly these bytes. */
  abstract isSignedWebhook(rawBody: Uint8Array, signature: string): boolean;
}

/**
 * A deployment with no processor configured: nothing can be charged or verified, and no webhook is
 * genuine. Funding then works only in the sandbox (SANDBOX_DIRECT_FUNDING).
 */
export class NoPaymentProcessor extends PaymentProcessor {
  initialize(): Promise<InitializedCharge> {
    return Promise.reject(new ProcessorUnavailableError('no payment processor is configured'));
  }

  verify(): Promise<ChargeVerification> {
    return Promise.reject(new ProcessorUnavailableError('no payment processor is configured'));
  }

  isSignedWebhook(): boolean {
    return false;
  }
}
