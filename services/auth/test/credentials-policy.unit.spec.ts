import { AUTH_ERROR_CODES } from '@bvs/contracts';
import { CredentialRefusal } from '../src/domain/credential-refusal';
import { normaliseEmail } from '../src/domain/email-address';
import { assertAcceptablePassword } from '../src/domain/password-policy';
import { isCommonPassword } from '../src/sessions/common-passwords';

function refusalOf(action: () => unknown): { code: string; field: string } | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof CredentialRefusal) return { code: error.code, field: error.field };
    throw error;
  }
}

describe('normaliseEmail', () => {
  it('trims, lower-cases and composes Unicode so one address has one form', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
    expect(normaliseEmail('Jose\u0301@example.com')).toBe(normaliseEmail('José@example.com'));
  });

  it('folds compatibility look-alikes, so a full-width address is the same account as the plain one', () => {
    expect(normaliseEmail('\uff41\uff44\uff41@example.com')).toBe('ada@example.com');
    expect(normaliseEmail('ﬁona@example.com')).toBe('fiona@example.com');
  });

  it.each(['no-at-sign', 'two@@example.com', 'spaces in@example.com', 'user@nodot', `${'a'.repeat(250)}@example.com`])('refuses %s', (raw) => {
    expect(refusalOf(() => normaliseEmail(raw))).toEqual({ code: AUTH_ERROR_CODES.invalidEmail, field: 'email' });
  });
});

describe('assertAcceptablePassword', () => {
  const email = 'ada@example.com';
  const check = (password: string, address = email) => refusalOf(() => assertAcceptablePassword(password, address, isCommonPassword));

  it('accepts a password of 12 characters or more that is not the address and not a common password', () => {
    expect(check('orange-Kettle-42')).toBeUndefined();
    expect(check('7f3k-ruby-owl')).toBeUndefined();
  });

  it.each([
    ['shorter than 12 characters', '7f3k-ruby-o'],
    ['12 bytes but fewer characters', 'éééééé'],
    ['on the list of common passwords', 'qwerty123456'],
    ['on the list in another case', 'QWERTY123456'],
    ['the address itself', 'ada@example.com'],
    ['the address in another case', 'ADA@Example.com'],
    ['more than 72 bytes, which bcrypt would silently cut', 'ü'.repeat(37)],
  ])('refuses a password that is %s', (_, password) => {
    expect(check(password)).toEqual({ code: AUTH_ERROR_CODES.passwordPolicy, field: 'password' });
  });

  it('refuses the name part when it is long enough to pass the length rule', () => {
    expect(check('ada.lovelace.1815', 'ada.lovelace.1815@example.com')).toEqual({
      code: AUTH_ERROR_CODES.passwordPolicy,
      field: 'password',
    });
  });
});
