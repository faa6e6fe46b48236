import { Body, Controller, Get, HttpCode, HttpStatus, Post, Put, UseGuards } from '@nestjs/common';
import type { Behaviour } from '../behaviour/domain/behaviour';
import { FaultInjector } from '../behaviour/fault-injector';
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
  constructor(private readonly faults: FaultInjector) {}

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

  /** Back to the start-up behaviour (the SIM_* variables), with the random sequences restarted. */
  @Post('reset')
  @HttpCode(HttpStatus.OK)
  reset(): Behaviour {
    return this.faults.reset();
  }
}
