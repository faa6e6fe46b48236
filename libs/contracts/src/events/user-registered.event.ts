import { defineEventSchema, type IntegrationEvent } from '../envelope';
import { USER_ID_FIELD } from './event-fields';

export const USER_REGISTERED = 'UserRegistered';

/** A user account was created. Wallet creates the user's wallet on it (idempotently). */
export interface UserRegisteredPayload {
  /** Id of the new user. Also the Kafka message key. */
  readonly userId: string;
  /** The e-mail address the user registered with, normalised to lower case. */
  readonly email: string;
}

export type UserRegisteredEvent = IntegrationEvent<typeof USER_REGISTERED, UserRegisteredPayload>;

export const USER_REGISTERED_SCHEMA = defineEventSchema({
  name: USER_REGISTERED,
  doc: 'A user account was created by auth. Consumers: wallet (opens the wallet), notifications, reporting. Key: userId.',
  payloadFields: [
    { ...USER_ID_FIELD, doc: 'Id of the new user. Also the Kafka message key.' },
    { name: 'email', type: 'string', doc: 'E-mail address the user registered with, normalised to lower case.' },
  ],
});
