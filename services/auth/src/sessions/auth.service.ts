import { createHash, randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  AUTH_ERROR_CODES,
  EVENT_TOPICS,
  LogInRequest,
  RefreshSessionRequest,
  RegisterRequest,
  RegistrationAccepted,
  SessionTokens,
  USER_REGISTERED,
  UserProfile,
  UserRegisteredEvent,
} from '@bvs/contracts';
import { enqueueEvent, MetricsRegistry, ServiceError, SessionRevocations } from '@bvs/platform';
import { Counter } from 'prom-client';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuthEnv } from '../config/auth-env';
import { CredentialRefusal } from '../domain/credential-refusal';
import { normaliseEmail } from '../domain/email-address';
import { assertAcceptablePassword } from '../domain/password-policy';
import { isCommonPassword } from './common-passwords';
import { RefreshTokenRecord } from '../persistence/refresh-token.entity';
import { SessionRecord } from '../persistence/session.entity';
import { UserRecord } from '../persistence/user.entity';
import { AccessTokenSigner, type SignedAccessToken } from './access-token-signer';
import { PasswordHashing } from './password-hashing';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from './refresh-token';

const UNIQUE_VIOLATION = '23505';
/** The constraint that keeps one account per normalised address (migration 1764100000000). */
const EMAIL_UNIQUE_CONSTRAINT = 'users_email_unique';
const AUTH_SERVICE_NAME = 'auth';

const invalidCredentials = () => new ServiceError(AUTH_ERROR_CODES.invalidCredentials, 401, 'The e-mail address or the password is wrong.');
const invalidRefreshToken = () =>
  new ServiceError(AUTH_ERROR_CODES.refreshTokenInvalid, 401, 'The refresh token is not valid; log in again.');

/** Who a request came from, for the events it causes. */
export interface RequestOrigin {
  readonly requestId: string;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** Registrations by outcome: a rising share of `duplicate` is someone probing for accounts. */
  private readonly registrations: Counter<'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly env: AuthEnv,
    private readonly signer: AccessTokenSigner,
    private readonly revocations: SessionRevocations,
    private readonly passwords: PasswordHashing,
    metrics: MetricsRegistry,
  ) {
    this.registrations = new Counter({
      name: 'bvs_auth_registrations_total',
      help: 'Accepted registrations by outcome: created, or duplicate (the address already had an account, which was left unchanged)',
      labelNames: ['outcome'],
      registers: [metrics],
    });
  }

  /**
   * Creates the account, or, when the address already has one, changes nothing; the caller gets
   * the same answer either way, so registering cannot be used to learn which addresses have
   * accounts (ADR 0009). The duplicate still pays for the bcrypt hash, so the answer time does not
   * tell the cases apart either. The existing account keeps its password and sessions, and no
   * second user-registered event is written (its transaction rolls back).
   */
  async register(request: RegisterRequest, origin: RequestOrigin): Promise<RegistrationAccepted> {
    const email = asBadRequest(() => normaliseEmail(request.email));
    asBadRequest(() => assertAcceptablePassword(request.password, email, isCommonPassword));
    // Before the address is looked at: the expensive part runs whichever way it turns out.
    const passwordHash = await this.passwords.hash(request.password);
    const user = Object.assign(new UserRecord(), { id: randomUUID(), email, passwordHash });
    if (await this.createUnlessTaken(user, origin)) {
      this.registrations.inc({ outcome: 'created' });
      this.logger.log({ userId: user.id }, 'User registered');
    } else {
      this.registrations.inc({ outcome: 'duplicate' });
      // No notice reaches the address's owner yet: there is no e-mail sender (ADR 0009).
      this.logger.log({ emailHash: emailHashForLogs(email), requestId: origin.requestId }, 'Registration for an address that already has an account: nothing changed');
    }
    return { email };
  }

  /**
   * Inserts the user and its event in one transaction (no user without its event, no event without
   * its user). False when the address is taken: the unique constraint decides, so of concurrent
   * registrations of one address exactly one creates it, and the others roll back with no event.
   */
  private async createUnlessTaken(user: UserRecord, origin: RequestOrigin): Promise<boolean> {
    try {
      await this.dataSource.transaction(async (manager) => {
        const stored = await manager.save(user);
        await enqueueEvent(manager, EVENT_TOPICS.userRegistered, this.userRegistered(stored, origin));
      });
      return true;
    } catch (error) {
      if (isEmailTaken(error)) return false;
      throw error;
    }
  }

  async login(request: LogInRequest): Promise<SessionTokens> {
    const email = safeNormaliseEmail(request.email);
    const user = email ? await this.dataSource.getRepository(UserRecord).findOneBy({ email }) : null;
    const matches = await this.passwords.verify(request.password, user?.passwordHash);
    if (!user || !matches) throw invalidCredentials();
    const session = Object.assign(new SessionRecord(), {
      id: randomUUID(),
      userId: user.id,
      revokedAt: null,
      revokedReason: null,
      userAgent: request.client?.userAgent?.slice(0, 512) ?? null,
      ip: request.client?.ip ?? null,
    });
    // Signed before the transaction opens (see issueRefreshToken); if the transaction fails, the
    // token is dropped unseen.
    const access = await this.signer.sign(user.id, session.id);
    const refresh = await this.dataSource.transaction(async (manager) => {
      await manager.save(session);
      return this.issueRefreshToken(manager, session.id);
    });
    return sessionTokens(access, refresh);
  }

  /**
   * Exchanges a refresh token for a new pair. The token row is locked, so of two concurrent
   * uses exactly one rotates it and the other is treated as a reuse. A reuse means someone
   * else holds a copy, and the whole session family is revoked.
   */
  async refresh(request: RefreshSessionRequest): Promise<SessionTokens> {
    if (!looksLikeRefreshToken(request.refreshToken)) throw invalidRefreshToken();
    const outcome = await this.dataSource.transaction(async (manager) => {
      const token = await manager
        .getRepository(RefreshTokenRecord)
        .createQueryBuilder('token')
        .setLock('pessimistic_write')
        .where('token.token_hash = :hash', { hash: hashRefreshToken(request.refreshToken) })
        .getOne();
      if (!token) return { error: invalidRefreshToken() };
      const session = await manager.getRepository(SessionRecord).findOneBy({ id: token.sessionId });
      if (!session || session.revokedAt) return { error: invalidRefreshToken() };
      if (token.rotatedAt) {
        await revokeSession(manager, session.id, 'REFRESH_TOKEN_REUSED');
        this.logger.warn({ userId: session.userId, sessionId: session.id }, 'Rotated refresh token presented again: session revoked');
        return {
          error: new ServiceError(AUTH_ERROR_CODES.refreshTokenReused, 401, 'This refresh token was already used; the session is revoked. Log in again.'),
          revokedSessionId: session.id,
        };
      }
      if (token.expiresAt.getTime() <= Date.now()) return { error: invalidRefreshToken() };
      await manager.update(RefreshTokenRecord, { id: token.id }, { rotatedAt: new Date() });
      return { userId: session.userId, sessionId: session.id, refresh: await this.issueRefreshToken(manager, session.id) };
    });
    // Thrown after the transaction so the family revocation above commits.
    if ('error' in outcome) {
      if ('revokedSessionId' in outcome && outcome.revokedSessionId) await this.endAccessTokensOfReusedSession(outcome.revokedSessionId);
      throw outcome.error;
    }
    // Signed after the commit (see issueRefreshToken). Failing here loses the answer after the
    // rotation, exactly as a dropped connection would.
    return sessionTokens(await this.signer.sign(outcome.userId, outcome.sessionId), outcome.refresh);
  }

  /**
   * Ends the session for its refresh token (in the database) and for its access tokens (in Redis,
   * where every gateway looks). Idempotent, so a client that got 503 because Redis did not answer
   * logs out again and completes it.
   */
  async logout(userId: string, sessionId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const session = await manager.getRepository(SessionRecord).findOneBy({ id: sessionId, userId });
      if (session && !session.revokedAt) await revokeSession(manager, session.id, 'LOGOUT');
    });
    try {
      await this.revocations.revoke(sessionId, this.env.ACCESS_TOKEN_TTL_SECONDS * 1_000);
    } catch (error) {
      this.logger.warn({ err: error, sessionId }, 'Could not record the ended session in Redis');
      throw new ServiceError('SERVICE.UNAVAILABLE', 503, 'The session could not be ended everywhere yet; log out again.');
    }
  }

  /** The thief's access tokens die with the family; if Redis is away they lapse at their expiry instead. */
  private async endAccessTokensOfReusedSession(sessionId: string): Promise<void> {
    try {
      await this.revocations.revoke(sessionId, this.env.ACCESS_TOKEN_TTL_SECONDS * 1_000);
    } catch (error) {
      this.logger.error({ err: error, sessionId, alert: 'SESSION_REVOCATION_NOT_RECORDED' }, 'A reused session is revoked, but its access tokens stay valid until they expire');
    }
  }

  async profile(userId: string): Promise<UserProfile> {
    const user = await this.dataSource.getRepository(UserRecord).findOneBy({ id: userId });
    if (!user) throw new ServiceError(AUTH_ERROR_CODES.userNotFound, 404, 'No such user.');
    return toProfile(user);
  }

  /**
   * Stores a new refresh token of the session (only its hash) in the caller's transaction. The
   * access token is signed outside any transaction: signing runs on libuv's thread pool, which
   * bcrypt keeps busy during a burst of logins, and a transaction waiting for it held its pooled
   * connection idle meanwhile (two to six at a time on average in a benchmark's login phase,
   * 2026-12-06).
   */
  private async issueRefreshToken(manager: EntityManager, sessionId: string): Promise<IssuedRefreshToken> {
    const refreshToken = newRefreshToken();
    const refreshExpiresIn = this.env.REFRESH_TOKEN_TTL_SECONDS;
    await manager.save(
      Object.assign(new RefreshTokenRecord(), {
        id: randomUUID(),
        sessionId,
        tokenHash: hashRefreshToken(refreshToken),
        expiresAt: new Date(Date.now() + refreshExpiresIn * 1_000),
        rotatedAt: null,
      }),
    );
    return { refreshToken, refreshExpiresIn };
  }

  private userRegistered(user: UserRecord, origin: RequestOrigin): UserRegisteredEvent {
    return {
      metadata: {
        eventId: randomUUID(),
        eventType: USER_REGISTERED,
        occurredAt: user.createdAt.toISOString(),
        correlationId: origin.requestId,
        causationId: null,
        producer: AUTH_SERVICE_NAME,
      },
      payload: { userId: user.id, email: user.email },
    };
  }
}

/** A refresh token as its holder gets it, once: the table keeps only its hash. */
interface IssuedRefreshToken {
  readonly refreshToken: string;
  readonly refreshExpiresIn: number;
}

function sessionTokens(access: SignedAccessToken, refresh: IssuedRefreshToken): SessionTokens {
  return { tokenType: 'Bearer', accessToken: access.token, expiresIn: access.expiresIn, ...refresh };
}

async function revokeSession(manager: EntityManager, sessionId: string, reason: SessionRecord['revokedReason']): Promise<void> {
  await manager.update(SessionRecord, { id: sessionId }, { revokedAt: new Date(), revokedReason: reason });
}

/** A refused credential is the caller's mistake: 400 with the code and the field at fault. */
function asBadRequest<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof CredentialRefusal) throw new ServiceError(error.code, 400, error.message, { field: error.field });
    throw error;
  }
}

function isEmailTaken(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === UNIQUE_VIOLATION && driverError.constraint === EMAIL_UNIQUE_CONSTRAINT;
}

/**
 * Lets the log tell repeated registrations of one address apart without writing the address: the
 * first 16 hex digits of its SHA-256. Not a secret (whoever already knows an address can compute
 * it), only no address in clear in a log kept longer than the accounts.
 */
function emailHashForLogs(email: string): string {
  return createHash('sha256').update(email).digest('hex').slice(0, 16);
}

/** A malformed address at login is just a wrong credential: the answer must not differ. */
function safeNormaliseEmail(raw: string): string | undefined {
  try {
    return normaliseEmail(raw);
  } catch {
    return undefined;
  }
}

function toProfile(user: UserRecord): UserProfile {
  return { id: user.id, email: user.email, createdAt: user.createdAt.toISOString() };
}
