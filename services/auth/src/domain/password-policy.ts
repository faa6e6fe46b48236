import { AUTH_ERROR_CODES } from '@bvs/contracts';
import { CredentialRefusal } from './credential-refusal';

export const MIN_PASSWORD_LENGTH = 12;
/** bcrypt reads only the first 72 bytes; a longer password would be silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * Refuses a password the service would not want to protect an account with. `isCommon` says
 * whether a password is on the list of the most used ones (kept outside the rules, as data).
 */
export function assertAcceptablePassword(password: string, normalisedEmail: string, isCommon: (password: string) => boolean): void {
  const refuse = (reason: string) => {
    throw new CredentialRefusal(AUTH_ERROR_CODES.passwordPolicy, reason, 'password');
  };
  if ([...password].length < MIN_PASSWORD_LENGTH) refuse(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) refuse(`The password must fit in ${MAX_PASSWORD_BYTES} bytes (UTF-8).`);
  if (password.trim().normalize('NFC').toLowerCase() === normalisedEmail) refuse('The password must not be the e-mail address.');
  const localPart = normalisedEmail.split('@')[0] ?? '';
  if (password.toLowerCase() === localPart) refuse('The password must not be the name part of the e-mail address.');
  if (isCommon(password)) refuse('The password is one of the most common passwords; choose another.');
}
