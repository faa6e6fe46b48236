import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { FaultInjector } from './fault-injector';

/** Slows every provider endpoint (not health or admin) by the configured latency. */
@Injectable()
export class LatencyInterceptor implements NestInterceptor {
  constructor(private readonly faults: FaultInjector) {}

  async intercept(_context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    await this.faults.addLatency();
    return next.handle();
  }
}
