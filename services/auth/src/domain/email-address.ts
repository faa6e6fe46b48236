import { AUTH_ERROR_CODES } from '@bvs/contracts';
import { CredentialRefusal } from './credential-refusal';

const MAX_EMAIL_LENGTH = 254;
// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is proven by mail, not regex.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The one form an address is stored and compared in: trimmed, Unicode NFKC, lower case. NFKC (not
 * just NFC) folds compatibility look-alikes such as full-width letters into the plain ones.
 * Lower-casing the local part is technically lossy, but no mainstream provider treats case as
 * significant, and two accounts differing only in case or in such look-alikes would be a phishing gift.
 */
export function normaliseEmail(raw: string): string {
  const email = raw.normalize('NFKC').trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email)) {
    throw new CredentialRefusal(AUTH_ERROR_CODES.invalidEmail, 'The e-mail address is not valid.', 'email');
  }
  return email;
}
