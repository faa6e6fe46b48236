import { Body, Controller, Get, HttpCode, HttpStatus, Optional, Post, Put, UseGuards } from '@nestjs/common';
import type { Behaviour } from '../behaviour/domain/behaviour';
import { FaultInjector } from '../behaviour/fault-injector';
import { AutoPay } from '../processor/auto-pay/auto-pay';
import { AdminTokenGuard } from './admin-token.guard';
import { UpdateBehaviourRequest } from './update-behaviour.request';

/**
 * Runtime fault injection for tests and benchmarks. Registered only when ADMIN_TOKEN is set.
 * Vend records are never touched here: a real provider never forgets a vend, and a client that
 * is still requerying must keep finding it.
 */
@Controller('admin')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(
    private readonly faults: FaultInjector,
    /** Absent when the payment processor is not configured (no PROCESSOR_SECRET_KEY). */
    @Optional() private readonly autoPay?: AutoPay,
  ) {}

  @Get('behaviour')
  read(): Behaviour {
    return this.faults.current();
  }

  @Put('behaviour')
  update(@Body() changes: UpdateBehaviourRequest): Behaviour {
    // The pipe leaves absent fields as undefined keys; dropping them keeps the current values.
    const given = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<Behaviour>;
    return this.faults.update(given);
  }

  /**
   * Back to the start-up behaviour (the SIM_* variables), with the random sequences restarted, and
   * the payment processor's auto-pay back to PROCESSOR_AUTO_PAY (see `GET /admin/processor`).
   */
  @Post('reset')
  @HttpCode(HttpStatus.OK)
  reset(): Behaviour {
    this.autoPay?.reset();
    return this.faults.reset();
  }
}
