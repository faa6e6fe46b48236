import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadPackageDefinition, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { AUTH_SERVICE, BILLING_SERVICE, HEALTH, WALLET_SERVICE } from '@bvs/contracts';
import { errorBodyFromMetadata, errorMetadataOf, grpcStatusForHttp, httpStatusForGrpc, PROTO_LOADER_OPTIONS, qualifiedServiceName } from '../src';

const ROOT = path.resolve(__dirname, '../../..');

describe('the gRPC contract', () => {
  it('has TypeScript types generated from the current .proto files (regenerate with node tools/generate-grpc-types.mjs)', () => {
    expect(() => execFileSync(process.execPath, [path.join(ROOT, 'tools/generate-grpc-types.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it.each([AUTH_SERVICE, WALLET_SERVICE, BILLING_SERVICE, HEALTH])('loads $package.$service from its .proto as the services do', (definition) => {
    const loaded = loadPackageDefinition(loadSync(definition.protoFile, PROTO_LOADER_OPTIONS));
    const service = qualifiedServiceName(definition)
      .split('.')
      .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], loaded) as { service: Record<string, unknown> };
    expect(Object.keys(service.service).length).toBeGreaterThan(0);
  });

  it('carries money as int64 decimal strings, exact beyond 2^53', () => {
    const loaded = loadPackageDefinition(loadSync(WALLET_SERVICE.protoFile, PROTO_LOADER_OPTIONS)) as unknown as {
      bvs: { wallet: { v1: { WalletService: { service: { FundWallet: { requestSerialize(value: object): Buffer; requestDeserialize(bytes: Buffer): { amount: string } } } } } } };
    };
    const method = loaded.bvs.wallet.v1.WalletService.service.FundWallet;
    expect(method.requestDeserialize(method.requestSerialize({ amount: '9007199254740993', reference: 'r-1' })).amount).toBe('9007199254740993');
  });
});

describe('refusals across gRPC', () => {
  it.each([
    [400, GrpcStatus.INVALID_ARGUMENT],
    [401, GrpcStatus.UNAUTHENTICATED],
    [403, GrpcStatus.PERMISSION_DENIED],
    [404, GrpcStatus.NOT_FOUND],
    [409, GrpcStatus.ALREADY_EXISTS],
    [429, GrpcStatus.RESOURCE_EXHAUSTED],
    [503, GrpcStatus.UNAVAILABLE],
    [504, GrpcStatus.DEADLINE_EXCEEDED],
    [500, GrpcStatus.INTERNAL],
  ])('HTTP %i travels as gRPC status %i and maps back', (http, grpc) => {
    expect(grpcStatusForHttp(http)).toBe(grpc);
    expect(httpStatusForGrpc(grpc)).toBe(http);
  });

  it('keeps the stable code, the exact HTTP status and the details in metadata', () => {
    const body = { code: 'WALLET.INSUFFICIENT_FUNDS', status: 422, message: 'Not enough money.', details: { availableMinor: '100' } };
    expect(grpcStatusForHttp(422)).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(errorBodyFromMetadata(errorMetadataOf(body), body.message)).toEqual(body);
  });

  it('reads no refusal from metadata that lacks our code or carries a status that is not an error', () => {
    expect(errorBodyFromMetadata(new Metadata(), 'x')).toBeUndefined();
    const wrongStatus = errorMetadataOf({ code: 'X.Y', status: 200, message: 'ok' });
    expect(errorBodyFromMetadata(wrongStatus, 'x')).toBeUndefined();
  });
});
