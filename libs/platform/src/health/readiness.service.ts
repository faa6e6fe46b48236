import { Inject, Injectable } from '@nestjs/common';
import type { ComponentStatus, ReadinessReport } from '@bvs/contracts';
import { READINESS_CHECKS, ReadinessCheck, runProbe } from './readiness-check';

export const SERVICE_NAME = Symbol('SERVICE_NAME');

@Injectable()
export class ReadinessService {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[],
  ) {}

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map(async (check) => [check.component, await runProbe(check)] as const));
    const components: Record<string, ComponentStatus> = Object.fromEntries(results);
    const status: ComponentStatus = results.every(([, result]) => result === 'up') ? 'up' : 'down';
    return { service: this.service, status, components, checkedAt: new Date().toISOString() };
  }
}
