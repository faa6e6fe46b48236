import { AUTH_ERROR_CODES } from '@bvs/contracts';
import { CredentialRefusal } from '../src/domain/credential-refusal';
import { normaliseEmail } from '../src/domain/email-address';
import { assertAcceptablePassword } from '../src/domain/password-policy';

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

  it.each(['no-at-sign', 'two@@example.com', 'spaces in@example.com', 'user@nodot', `${'a'.repeat(250)}@example.com`])('refuses %s', (raw) => {
    expect(refusalOf(() => normaliseEmail(raw))).toEqual({ code: AUTH_ERROR_CODES.invalidEmail, field: 'email' });
  });
});

describe('assertAcceptablePassword', () => {
  const email = 'ada@example.com';

  it('accepts a password of 8 characters or more that is not the address', () => {
    expect(refusalOf(() => assertAcceptablePassword('orange-Kettle-42', email))).toBeUndefined();
    expect(refusalOf(() => assertAcceptablePassword('12345678', email))).toBeUndefined();
  });

  it.each([
    ['shorter than 8 characters', '1234567'],
    ['8 bytes but fewer characters', 'ééé'],
    ['the address itself', 'ada@example.com'],
    ['the address in another case', 'ADA@Example.com'],
    ['more than 72 bytes, which bcrypt would silently cut', 'ü'.repeat(37)],
  ])('refuses a password that is %s', (_, password) => {
    expect(refusalOf(() => assertAcceptablePassword(password, email))).toEqual({ code: AUTH_ERROR_CODES.passwordPolicy, field: 'password' });
  });

  it('refuses the name part when it is long enough to pass the length rule', () => {
    expect(refusalOf(() => assertAcceptablePassword('adalovelace', 'adalovelace@example.com'))).toEqual({
      code: AUTH_ERROR_CODES.passwordPolicy,
      field: 'password',
    });
  });
});
