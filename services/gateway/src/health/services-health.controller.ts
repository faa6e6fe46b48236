import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiTooManyRequestsResponse, getSchemaPath, SchemaObject } from '@nestjs/swagger';
import type { Response } from 'express';
import { PublicRoute } from '@bvs/platform';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from '../http/problem-details';
import { Backend, BackendClients, BACKENDS } from '../backends/backend-clients';
import { RateLimited } from '../limits/rate-limit.decorator';

export interface SystemReadiness {
  readonly status: 'up' | 'down';
  readonly services: readonly { service: Backend; status: 'up' | 'down'; reason?: string }[];
}

const UP_OR_DOWN: SchemaObject = { type: 'string', enum: ['up', 'down'] };
const SYSTEM_READINESS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['status', 'services'],
  properties: {
    status: UP_OR_DOWN,
    services: {
      type: 'array',
      items: {
        type: 'object',
        required: ['service', 'status'],
        properties: { service: { type: 'string', enum: [...BACKENDS] }, status: UP_OR_DOWN, reason: { type: 'string', description: 'Why it is down.' } },
      },
    },
  },
};

/**
 * The whole system's readiness, asked of each service with the standard gRPC health check: for
 * operators and smoke tests. Each answer is bounded by the health client's own deadline.
 */
@ApiTags('health')
@PublicRoute()
@Controller('health')
export class ServicesHealthController {
  constructor(private readonly backends: BackendClients) {}

  @Get('services')
  @RateLimited('services-health')
  @ApiOperation({ summary: 'Whether auth, wallet and billing are serving', description: 'Asks each service with the standard gRPC health check.' })
  @ApiOkResponse({ description: 'Every service is serving.', schema: SYSTEM_READINESS_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'At least one service is not serving; `services` says which and why.', schema: SYSTEM_READINESS_SCHEMA })
  @ApiExtraModels(ProblemDetails)
  @ApiTooManyRequestsResponse({
    description: 'Rate limited (RATE_LIMITED); see Retry-After.',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetails) } } },
  })
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
