import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { HEALTH, HealthCheckRequest, HealthCheckResponse } from '@bvs/contracts';
import { PublicRoute } from '../http';
import { ReadinessService } from '../health/readiness.service';

export const SERVED_GRPC_SERVICES = Symbol('SERVED_GRPC_SERVICES');

/**
 * The standard gRPC health check (grpc.health.v1.Health/Check) over the service's readiness:
 * SERVING when every dependency answers. Kubernetes' gRPC probes and the gateway call it; it
 * needs no token, like the HTTP probes. An unknown service name is NOT_FOUND, as the protocol says.
 */
@Controller()
export class GrpcHealthController {
  constructor(
    private readonly readiness: ReadinessService,
    @Inject(SERVED_GRPC_SERVICES) private readonly served: readonly string[],
  ) {}

  @PublicRoute()
  @GrpcMethod(HEALTH.service, 'Check')
  async check(request: HealthCheckRequest): Promise<HealthCheckResponse> {
    if (request.service !== '' && !this.served.includes(request.service)) {
      throw new RpcException({ code: GrpcStatus.NOT_FOUND, message: `unknown service ${request.service}` });
    }
    const report = await this.readiness.report();
    return { status: report.status === 'up' ? 'SERVING' : 'NOT_SERVING' };
  }
}
