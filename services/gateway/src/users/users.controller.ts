import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AUTH_PATTERNS, SessionTokens, UserProfile } from '@bvs/contracts';
import { KafkaRequestClient, PublicRoute } from '@bvs/platform';
import type { Request } from 'express';
import type { AuthenticatedUser } from '../auth/access-token-verifier';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiProblems } from '../http/api-problems.decorator';
import { requestHeadersOf } from '../messaging/request-headers';
import { CredentialsDto } from './dto/credentials.dto';
import { RefreshSessionDto } from './dto/refresh-session.dto';
import { SessionTokensDto } from './dto/session-tokens.dto';
import { UserProfileDto } from './dto/user-profile.dto';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly services: KafkaRequestClient) {}

  @Post('register')
  @PublicRoute()
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'Create an account', description: 'Password: 8 or more characters, at most 72 bytes, not the e-mail address.' })
  @ApiCreatedResponse({ type: UserProfileDto })
  @ApiProblems({ 400: 'AUTH.PASSWORD_POLICY', 409: 'AUTH.EMAIL_TAKEN', 413: 'REQUEST.TOO_LARGE', 415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 429: 'RATE_LIMITED' })
  register(@Body() body: CredentialsDto, @Req() request: Request): Promise<UserProfile> {
    return this.services.request(AUTH_PATTERNS.register, { email: body.email, password: body.password }, { headers: requestHeadersOf(request) });
  }

  @Post('login')
  @PublicRoute()
  @UseGuards(ThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in', description: 'Starts a session. A wrong e-mail and a wrong password get the same answer.' })
  @ApiOkResponse({ type: SessionTokensDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.INVALID_CREDENTIALS', 429: 'RATE_LIMITED' })
  login(@Body() body: CredentialsDto, @Req() request: Request): Promise<SessionTokens> {
    return this.services.request(
      AUTH_PATTERNS.login,
      { email: body.email, password: body.password, userAgent: request.get('user-agent'), ip: request.ip },
      { headers: requestHeadersOf(request) },
    );
  }

  @Post('refresh')
  @PublicRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Rotate the refresh token',
    description: 'Returns a new token pair. Presenting a refresh token that was already used revokes the whole session.',
  })
  @ApiOkResponse({ type: SessionTokensDto })
  @ApiProblems({ 400: 'VALIDATION.FAILED', 401: 'AUTH.REFRESH_TOKEN_REUSED' })
  refresh(@Body() body: RefreshSessionDto, @Req() request: Request): Promise<SessionTokens> {
    return this.services.request(
      AUTH_PATTERNS.refresh,
      { refreshToken: body.refreshToken, userAgent: request.get('user-agent'), ip: request.ip },
      { headers: requestHeadersOf(request) },
    );
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'End the session',
    description: 'Revokes the session of this access token: its refresh token stops working. The access token itself lapses at its expiry (minutes).',
  })
  @ApiNoContentResponse({ description: 'Logged out.' })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED' })
  async logout(@CurrentUser() user: AuthenticatedUser, @Req() request: Request): Promise<void> {
    await this.services.request(AUTH_PATTERNS.logout, { userId: user.userId, sessionId: user.sessionId }, { key: user.userId, headers: requestHeadersOf(request) });
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiProblems({ 401: 'AUTH.UNAUTHENTICATED', 404: 'AUTH.USER_NOT_FOUND' })
  me(@CurrentUser() user: AuthenticatedUser, @Req() request: Request): Promise<UserProfile> {
    return this.services.request(AUTH_PATTERNS.profile, { userId: user.userId }, { key: user.userId, headers: requestHeadersOf(request) });
  }
}
