// Generated from libs/contracts/proto/grpc/health/v1/health.proto by tools/generate-grpc-types.mjs. Edit the .proto, then run
// `node tools/generate-grpc-types.mjs`; a unit test fails while this file is stale.

export interface HealthCheckRequest {
  /** "" for the server as a whole, or a fully qualified service name. */
  readonly service: string;
}

export interface HealthCheckResponse {
  readonly status: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
}

/** `grpc.health.v1.Health`: where it is defined and what each method takes and answers. */
export const HEALTH = {
  package: 'grpc.health.v1',
  service: 'Health',
  protoFile: 'grpc/health/v1/health.proto',
} as const;

export interface HealthMethods {
  readonly Check: { readonly request: HealthCheckRequest; readonly response: HealthCheckResponse };
}
