import { AUTH_ERROR_CODES } from '@bvs/contracts';

/**
 * Why a credential cannot be accepted, with the stable code and the field at fault. It says
 * nothing of HTTP or gRPC: the service maps it to its answer.
 */
export class CredentialRefusal extends Error {
  override readonly name = 'CredentialRefusal';

  constructor(
    readonly code: typeof AUTH_ERROR_CODES.invalidEmail | typeof AUTH_ERROR_CODES.passwordPolicy,
    message: string,
    readonly field: 'email' | 'password',
  ) {
    super(message);
  }
}
