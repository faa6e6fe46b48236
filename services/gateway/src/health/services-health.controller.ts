import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { READINESS_PATTERNS, ReadinessReport, ReportingService } from '@bvs/contracts';
import { KafkaRequestClient, PublicRoute } from '@bvs/platform';

export interface SystemReadiness {
  readonly status: 'up' | 'down';
  readonly services: readonly (ReadinessReport | { service: string; status: 'down'; reason: string })[];
}

/** How long each service gets to answer; the page must answer even when a service does not. */
const SERVICE_ANSWER_TIMEOUT_MS = 3_000;

/**
 * The whole system's readiness, asked of each service over Kafka request-reply. For operators and
 * smoke tests; not the gateway's own readiness probe (a gateway must not go unready because one
 * service behind it is down).
 */
@PublicRoute()
@Controller('health')
export class ServicesHealthController {
  constructor(private readonly client: KafkaRequestClient) {}

  @Get('services')
  async services(@Res({ passthrough: true }) response: Response): Promise<SystemReadiness> {
    const names = Object.keys(READINESS_PATTERNS) as ReportingService[];
    const services = await Promise.all(names.map((name) => this.ask(name)));
    const status = services.every((service) => service.status === 'up') ? 'up' : 'down';
    response.status(status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status, services };
  }

  private async ask(name: ReportingService): Promise<SystemReadiness['services'][number]> {
    try {
      return await this.client.request<ReadinessReport>(READINESS_PATTERNS[name], {}, { timeoutMs: SERVICE_ANSWER_TIMEOUT_MS });
    } catch (error) {
      return { service: name, status: 'down', reason: error instanceof Error ? error.message : String(error) };
    }
  }
}
