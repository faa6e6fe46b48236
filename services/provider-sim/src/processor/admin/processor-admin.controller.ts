import { Body, Controller, Get, Put, UseGuards } from '@nestjs/common';
import { AdminTokenGuard } from '../../admin/admin-token.guard';
import { AutoPay } from '../auto-pay/auto-pay';
import { UpdateProcessorSettingsRequest } from './update-processor-settings.request';

export interface ProcessorSettings {
  readonly autoPay: boolean;
}

/**
 * The payment processor's runtime switches, for tests and demos. Registered only when both
 * ADMIN_TOKEN and PROCESSOR_SECRET_KEY are set; `POST /admin/reset` restores the start-up values.
 * Charges are never touched here, for the same reason vends are not: a merchant still verifying
 * must keep finding them.
 */
@Controller('admin/processor')
@UseGuards(AdminTokenGuard)
export class ProcessorAdminController {
  constructor(private readonly autoPay: AutoPay) {}

  @Get()
  read(): ProcessorSettings {
    return { autoPay: this.autoPay.enabled() };
  }

  @Put()
  update(@Body() changes: UpdateProcessorSettingsRequest): ProcessorSettings {
    return { autoPay: this.autoPay.set(changes.autoPay) };
  }
}
