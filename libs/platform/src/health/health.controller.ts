import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, SchemaObject } from '@nestjs/swagger';
import type { Response } from 'express';
import type { ReadinessReport } from '@bvs/contracts';
import { PublicRoute } from '../http';
import { ReadinessService } from './readiness.service';

const READINESS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['service', 'status', 'components', 'checkedAt'],
  properties: {
    service: { type: 'string' },
    status: { type: 'string', enum: ['up', 'down'] },
    components: { type: 'object', additionalProperties: { type: 'string', enum: ['up', 'down'] }, example: { database: 'up', kafka: 'up' } },
    checkedAt: { type: 'string', format: 'date-time' },
  },
};

/**
 * Kubernetes probes. Liveness says only that the process serves HTTP (restarting it would not
 * fix a database outage); readiness says whether it can do its work right now.
 */
@ApiTags('health')
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Liveness probe: the process serves HTTP' })
  @ApiOkResponse({ description: 'Alive.', schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up'] } } } })
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness probe: whether this process can do its work now' })
  @ApiOkResponse({ description: 'Ready: every component is up.', schema: READINESS_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'Not ready; `components` says which one is down.', schema: READINESS_SCHEMA })
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    response.status(report.status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
