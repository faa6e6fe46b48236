import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PublicRoute } from '@bvs/platform';
import { Backend, BackendClients, BACKENDS } from '../backends/backend-clients';
import { RateLimited } from '../limits/rate-limit.decorator';

export interface SystemReadiness {
  readonly status: 'up' | 'down';
  readonly services: readonly { service: Backend; status: 'up' | 'down'; reason?: string }[];
}

/**
 * The whole system's readiness, asked of each service with the standard gRPC health check: for
 * operators and smoke tests. Each answer is bounded by the health client's own deadline.
 */
@PublicRoute()
@Controller('health')
export class ServicesHealthController {
  constructor(private readonly backends: BackendClients) {}

  @Get('services')
  @RateLimited('services-health')
  async services(@Res({ passthrough: true }) response: Response): Promise<SystemReadiness> {
    const services = await Promise.all(BACKENDS.map((backend) => this.ask(backend)));
    const status = services.every((service) => service.status === 'up') ? 'up' : 'down';
    response.status(status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status, services };
  }

  private async ask(service: Backend): Promise<SystemReadiness['services'][number]> {
    try {
      return (await this.backends.isServing(service)) ? { service, status: 'up' } : { service, status: 'down', reason: 'NOT_SERVING' };
    } catch (error) {
      return { service, status: 'down', reason: error instanceof Error ? error.message : String(error) };
    }
  }
}
