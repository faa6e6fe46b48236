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
import { FIELD, requireShape, rpcRequestIdOf } from '@bvs/platform';
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
    requireShape(request, { email: FIELD.string, password: FIELD.string });
    return this.auth.register(request, { requestId: rpcRequestIdOf(context) });
  }

  @MessagePattern(AUTH_PATTERNS.login)
  login(@Payload() request: LoginRequest): Promise<SessionTokens> {
    requireShape(request, { email: FIELD.string, password: FIELD.string });
    return this.auth.login(request);
  }

  @MessagePattern(AUTH_PATTERNS.refresh)
  refresh(@Payload() request: RefreshSessionRequest): Promise<SessionTokens> {
    requireShape(request, { refreshToken: FIELD.string });
    return this.auth.refresh(request);
  }

  @MessagePattern(AUTH_PATTERNS.logout)
  async logout(@Payload() request: LogoutRequest): Promise<{ loggedOut: true }> {
    requireShape(request, { userId: FIELD.uuid, sessionId: FIELD.uuid });
    await this.auth.logout(request.userId, request.sessionId);
    return { loggedOut: true };
  }

  @MessagePattern(AUTH_PATTERNS.profile)
  profile(@Payload() request: GetProfileRequest): Promise<UserProfile> {
    requireShape(request, { userId: FIELD.uuid });
    return this.auth.profile(request.userId);
  }
}
