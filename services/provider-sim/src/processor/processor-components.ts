import type { Provider, Type } from '@nestjs/common';
import { ProcessorAdminController } from './admin/processor-admin.controller';
import { AutoPay } from './auto-pay/auto-pay';
import { CheckoutController } from './checkout/checkout.controller';
import { PayChargeService } from './checkout/pay-charge.service';
import { ProcessorKeyGuard } from './http/processor-key.guard';
import { InitializeChargeController } from './initialize-charge/initialize-charge.controller';
import { InitializeChargeService } from './initialize-charge/initialize-charge.service';
import { ChargeStore } from './persistence/charge-store';
import { PROCESSOR_CONFIG, type ProcessorConfig } from './processor-config';
import { VerifyChargeController } from './verify-charge/verify-charge.controller';
import { ChargeWebhookSender } from './webhook/charge-webhook-sender';

export interface ProcessorComponents {
  readonly controllers: readonly Type[];
  readonly providers: readonly Provider[];
}

/**
 * The simulated payment processor's controllers and providers, added to the application module
 * only when it is configured (PROCESSOR_SECRET_KEY set), and its admin switch only when the admin
 * routes exist too (ADMIN_TOKEN set; the AdminTokenGuard's token comes from the application module).
 */
export function processorComponents(config: ProcessorConfig, withAdmin: boolean): ProcessorComponents {
  return {
    controllers: [InitializeChargeController, VerifyChargeController, CheckoutController, ...(withAdmin ? [ProcessorAdminController] : [])],
    providers: [
      { provide: PROCESSOR_CONFIG, useValue: config },
      ProcessorKeyGuard,
      ChargeStore,
      InitializeChargeService,
      PayChargeService,
      ChargeWebhookSender,
      AutoPay,
    ],
  };
}
