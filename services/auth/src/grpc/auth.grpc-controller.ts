import { Controller } from '@nestjs/common';
import { Ctx, GrpcMethod, Payload } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import {
  AUTH_SERVICE,
  GetProfileRequest,
  LogInRequest,
  LogOutRequest,
  LogOutResponse,
  RefreshSessionRequest,
  RegisterRequest,
  RegistrationAccepted,
  SessionTokens,
  UserProfile,
} from '@bvs/contracts';
import { type AuthenticatedUser, Caller, FIELD, grpcRequestIdOf, PublicRoute, requireShape } from '@bvs/platform';
import { AuthService } from '../sessions/auth.service';

/**
 * Auth's gRPC surface, called by the gateway. Register, log-in and refresh are public (they are
 * how a caller gets a token); log-out and the profile act for the verified caller only. Every
 * parameter is decorated: Nest fills undecorated ones with null once any parameter is.
 */
@Controller()
export class AuthGrpcController {
  constructor(private readonly auth: AuthService) {}

  @PublicRoute()
  @GrpcMethod(AUTH_SERVICE.service, 'Register')
  register(@Payload() request: RegisterRequest, @Ctx() metadata: Metadata): Promise<RegistrationAccepted> {
    requireShape(request, { email: FIELD.string, password: FIELD.string });
    return this.auth.register(request, { requestId: grpcRequestIdOf(metadata) });
  }

  @PublicRoute()
  @GrpcMethod(AUTH_SERVICE.service, 'LogIn')
  logIn(@Payload() request: LogInRequest): Promise<SessionTokens> {
    requireShape(request, { email: FIELD.string, password: FIELD.string });
    return this.auth.login(request);
  }

  @PublicRoute()
  @GrpcMethod(AUTH_SERVICE.service, 'RefreshSession')
  refreshSession(@Payload() request: RefreshSessionRequest): Promise<SessionTokens> {
    requireShape(request, { refreshToken: FIELD.string });
    return this.auth.refresh(request);
  }

  @GrpcMethod(AUTH_SERVICE.service, 'LogOut')
  async logOut(@Payload() _request: LogOutRequest, @Caller() caller: AuthenticatedUser): Promise<LogOutResponse> {
    await this.auth.logout(caller.userId, caller.sessionId);
    return { loggedOut: true };
  }

  @GrpcMethod(AUTH_SERVICE.service, 'GetProfile')
  getProfile(@Payload() _request: GetProfileRequest, @Caller() caller: AuthenticatedUser): Promise<UserProfile> {
    return this.auth.profile(caller.userId);
  }
}
