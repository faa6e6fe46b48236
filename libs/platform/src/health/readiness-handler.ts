import { Controller, Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import type { ReadinessReport } from '@bvs/contracts';
import { ReadinessService } from './readiness.service';

/** A request-reply handler answering the service's readiness pattern with the same report as `/health/ready`. */
export function readinessHandlerFor(pattern: string): Type<unknown> {
  @Controller()
  class ReadinessHandler {
    constructor(private readonly readiness: ReadinessService) {}

    @MessagePattern(pattern)
    report(): Promise<ReadinessReport> {
      return this.readiness.report();
    }
  }
  return ReadinessHandler;
}
