import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SessionTokens, UserProfile } from '@bvs/contracts';
import { CallContext, PublicRoute, RemoteServiceError } from '@bvs/platform';
import type { Request } from 'express';
import { BackendClients } from '../backends/backend-clients';
import { ServiceCall } from '../backends/service-call.decorator';
import { ApiProblems } from '../http/api-problems.decorator';
import { LoginDto, RegisterDto } from './dto/credentials.dto';
import { RefreshSessionDto } from './dto/refresh-session.dto';
import { REGISTRATION_ACCEPTED_MESSAGE, RegistrationAcceptedDto } from './dto/registration-accepted.dto';
import { SessionTokensDto } from './dto/session-tokens.dto';
import { UserProfileDto } from './dto/user-profile.dto';
import { FailedLogins } from '../limits/failed-logins';
import { RateLimited } from '../limits/rate-limit.decorator';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly backends: BackendClients,
    private readonly failedLogins: FailedLogins,
  ) {}

  @Post('register')
  @PublicRoute()
  @RateLimited('register')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Create an account',
    description: [
      'Password: 12 or more characters, at most 72 bytes, not the e-mail address and not one of the common passwords.',
      'The answer is the same 202 whether the address was free or already has an account, so it does not tell anyone which addresses have accounts.',
      'An address that already has an account keeps it unchanged: its password, sessions and data stay as they were.',
      'The answer holds no account id and no tokens: log in (`POST /api/users/login`) for the tokens; `GET /api/users/me` then returns the id.',
      'Nobody is notified of a registration for a taken address yet (there is no e-mail sender); see docs/adr/0009.',
    ].join(' '),
  })
  @ApiAcceptedResponse({ type: RegistrationAcceptedDto, description: 'Accepted: a new address now has an account; a taken one is left as it was.' })
  @ApiProblems({ 400: 'AUTH.PASSWORD_POLICY', 413: 'REQUEST.TOO_LARGE', 415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED' })
  async register(@Body() body: RegisterDto, @ServiceCall() call: CallContext): Promise<RegistrationAcceptedDto> {
    const accepted = await this.backends.auth.call('Register', { email: body.email, password: body.password }, call);
    return { email: accepted.email, message: REGISTRATION_ACCEPTED_MESSAGE };
  }

  @Post('login')
  @PublicRoute()
  @RateLimited('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Log in',
    description: 'Starts a session. A wrong e-mail and a wrong password get the same answer. After FAILED_LOGIN_LIMIT wrong passwords for one account within the window, its logins get 429 from anywhere until the window ends.',
  })
  @ApiOkResponse({ type: SessionTokensDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.INVALID_CREDENTIALS', 429: 'RATE_LIMITED' })
  async login(@Body() body: LoginDto, @Req() request: Request, @ServiceCall() call: CallContext): Promise<SessionTokensDto> {
    await this.failedLogins.refuseIfLocked(body.email);
    try {
      return toSessionTokensDto(await this.backends.auth.call('LogIn', { email: body.email, password: body.password, client: clientOf(request) }, call));
    } catch (error) {
      if (error instanceof RemoteServiceError && error.code === 'AUTH.INVALID_CREDENTIALS') await this.failedLogins.record(body.email);
      throw error;
    }
  }

  @Post('refresh')
  @PublicRoute()
  @RateLimited('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Rotate the refresh token',
    description: 'Returns a new token pair. Presenting a refresh token that was already used revokes the whole session.',
  })
  @ApiOkResponse({ type: SessionTokensDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.REFRESH_TOKEN_REUSED', 429: 'RATE_LIMITED' })
  async refresh(@Body() body: RefreshSessionDto, @Req() request: Request, @ServiceCall() call: CallContext): Promise<SessionTokensDto> {
    return toSessionTokensDto(await this.backends.auth.call('RefreshSession', { refreshToken: body.refreshToken, client: clientOf(request) }, call));
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'End the session',
    description: 'Revokes the session of this access token at once: its refresh token stops working, and the access token is refused from the next request on.',
  })
  @ApiNoContentResponse({ description: 'Logged out.' })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED' })
  async logout(@ServiceCall() call: CallContext): Promise<void> {
    await this.backends.auth.call('LogOut', {}, call);
  }

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED', 404: 'AUTH.USER_NOT_FOUND' })
  me(@ServiceCall() call: CallContext): Promise<UserProfile> {
    return this.backends.auth.call('GetProfile', {}, call);
  }
}

/** Who is asking and from where, kept on the session for the user's own audit. */
function clientOf(request: Request): { userAgent?: string; ip?: string } {
  const userAgent = request.get('user-agent');
  return { ...(userAgent ? { userAgent } : {}), ...(request.ip ? { ip: request.ip } : {}) };
}

function toSessionTokensDto(tokens: SessionTokens): SessionTokensDto {
  return { ...tokens, tokenType: 'Bearer' };
}
