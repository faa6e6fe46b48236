import { QueryFailedError } from 'typeorm';
import { errorWithoutRowValues } from '../src/logging/error-serializer';

const EMAIL = 'ada@example.com';
const PASSWORD_HASH = '$2b$12$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNO';

function uniqueViolation(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
    code: '23505',
    constraint: 'users_email_key',
    detail: `Key (email)=(${EMAIL}) already exists.`,
    parameters: [EMAIL, PASSWORD_HASH],
  });
  return new QueryFailedError('INSERT INTO users (email, password_hash) VALUES ($1, $2)', [EMAIL, PASSWORD_HASH], driverError);
}

describe('logging a database error', () => {
  it('given a failed INSERT of an e-mail and a password hash, when serialised, then neither value is anywhere in the line', () => {
    const line = JSON.stringify(errorWithoutRowValues(uniqueViolation()));
    expect(line).not.toContain(EMAIL);
    expect(line).not.toContain(PASSWORD_HASH);
  });

  it('given the same error, when serialised, then what an operator needs stays: type, message, SQL text, code and constraint', () => {
    expect(errorWithoutRowValues(uniqueViolation())).toMatchObject({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "users_email_key"',
      query: 'INSERT INTO users (email, password_hash) VALUES ($1, $2)',
      driverError: { code: '23505', constraint: 'users_email_key' },
    });
  });

  it('given something that is not an error, when serialised, then it passes through with the same fields dropped', () => {
    expect(errorWithoutRowValues({ message: 'odd', parameters: [EMAIL] })).toEqual({ message: 'odd' });
    expect(errorWithoutRowValues('plain text')).toBe('plain text');
  });
});
