import path from 'node:path';
import type { Options } from '@grpc/proto-loader';

/**
 * Where the contract's .proto files are: next to this lib in the source tree, and copied beside
 * the built contracts by their build (dist/libs/contracts/proto), so the same relative path works
 * for tests run from source and for the built services.
 */
export const PROTO_ROOT = path.resolve(__dirname, '../../../contracts/proto');

/**
 * How every process reads the protos; tools/generate-grpc-types.mjs writes the TypeScript types
 * to match: camelCase fields, 64-bit integers as decimal strings (money never becomes a float),
 * enums by name, defaults filled in, proto3 `optional` fields left out when unset.
 */
export const PROTO_LOADER_OPTIONS: Options = Object.freeze({
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: false,
  includeDirs: [PROTO_ROOT],
});

/** A gRPC service of the contract: its package, name and .proto file (relative to PROTO_ROOT). */
export interface GrpcServiceDefinition {
  readonly package: string;
  readonly service: string;
  readonly protoFile: string;
}

export function qualifiedServiceName(definition: GrpcServiceDefinition): string {
  return `${definition.package}.${definition.service}`;
}
