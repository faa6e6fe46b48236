import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { ReadinessReport } from '@bvs/contracts';
import { PublicRoute } from '../http';
import { ReadinessService } from './readiness.service';

/**
 * Kubernetes probes. Liveness says only that the process serves HTTP (restarting it would not
 * fix a database outage); readiness says whether it can do its work right now.
 */
@PublicRoute()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessReport> {
    const report = await this.readiness.report();
    response.status(report.status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
