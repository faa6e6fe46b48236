import { Controller } from '@nestjs/common';
import { Ctx, KafkaContext, MessagePattern, Payload } from '@nestjs/microservices';
import {
  AUTH_PATTERNS,
  GetProfileRequest,
  LoginRequest,
  LogoutRequest,
  RefreshSessionRequest,
  RegisterUserRequest,
  SessionTokens,
  UserProfile,
} from '@bvs/contracts';
import { rpcRequestIdOf, ServiceError } from '@bvs/platform';
import { AuthService } from '../sessions/auth.service';

/**
 * Auth's request-reply surface. The gateway validates shapes for users; this re-checks types
 * because any producer on the cluster can write to these topics.
 */
@Controller()
export class AuthRequestHandlers {
  constructor(private readonly auth: AuthService) {}

  @MessagePattern(AUTH_PATTERNS.register)
  register(@Payload() request: RegisterUserRequest, @Ctx() context: KafkaContext): Promise<UserProfile> {
    requireStrings(request, ['email', 'password']);
    return this.auth.register(request, { requestId: rpcRequestIdOf(context) });
  }

  @MessagePattern(AUTH_PATTERNS.login)
  login(@Payload() request: LoginRequest): Promise<SessionTokens> {
    requireStrings(request, ['email', 'password']);
    return this.auth.login(request);
  }

  @MessagePattern(AUTH_PATTERNS.refresh)
  refresh(@Payload() request: RefreshSessionRequest): Promise<SessionTokens> {
    requireStrings(request, ['refreshToken']);
    return this.auth.refresh(request);
  }

  @MessagePattern(AUTH_PATTERNS.logout)
  async logout(@Payload() request: LogoutRequest): Promise<{ loggedOut: true }> {
    requireStrings(request, ['userId', 'sessionId']);
    requireUuids(request, ['userId', 'sessionId']);
    await this.auth.logout(request.userId, request.sessionId);
    return { loggedOut: true };
  }

  @MessagePattern(AUTH_PATTERNS.profile)
  profile(@Payload() request: GetProfileRequest): Promise<UserProfile> {
    requireStrings(request, ['userId']);
    requireUuids(request, ['userId']);
    return this.auth.profile(request.userId);
  }
}

function requireStrings(request: unknown, fields: readonly string[]): void {
  const record = typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
  const missing = fields.filter((field) => typeof record[field] !== 'string');
  if (missing.length > 0) {
    throw new ServiceError('REQUEST.INVALID', 400, `Expected string fields: ${missing.join(', ')}.`, { fields: missing });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireUuids(request: object, fields: readonly string[]): void {
  const record = request as Record<string, unknown>;
  const malformed = fields.filter((field) => !UUID.test(String(record[field])));
  if (malformed.length > 0) {
    throw new ServiceError('REQUEST.INVALID', 400, `Expected UUIDs: ${malformed.join(', ')}.`, { fields: malformed });
  }
}
