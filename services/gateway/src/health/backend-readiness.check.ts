import type { ReadinessCheck } from '@bvs/platform';
import type { Backend, BackendClients } from '../backends/backend-clients';

/**
 * One backend as a component of the gateway's readiness: up when it answers the standard gRPC
 * health check with SERVING. Without auth, wallet and billing the gateway could only answer 503s.
 */
export class BackendReadinessCheck implements ReadinessCheck {
  constructor(
    readonly component: Backend,
    private readonly backends: BackendClients,
  ) {}

  async probe(): Promise<void> {
    if (!(await this.backends.isServing(this.component))) throw new Error(`${this.component} is not serving`);
  }
}
