import { AddOutboxTraceparent1765300000000, CreateMessagingTables1764000000000, DatabaseDefinition, IndexInboxByAge1765100000000, MESSAGING_ENTITIES } from '@bvs/platform';
import { CreateUsersAndSessions1764100000000 } from './migrations/1764100000000-create-users-and-sessions';
import { EmailNfkc1764900000000 } from './migrations/1764900000000-email-nfkc';
import { RefreshTokenRecord } from './refresh-token.entity';
import { SessionRecord } from './session.entity';
import { UserRecord } from './user.entity';

/** Tables the auth service owns, and the migrations that create them, in order. */
export const AUTH_DATABASE: DatabaseDefinition = {
  entities: [UserRecord, SessionRecord, RefreshTokenRecord, ...MESSAGING_ENTITIES],
  migrations: [CreateMessagingTables1764000000000, CreateUsersAndSessions1764100000000, EmailNfkc1764900000000, IndexInboxByAge1765100000000, AddOutboxTraceparent1765300000000],
};
