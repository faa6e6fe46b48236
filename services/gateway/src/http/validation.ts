import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ProblemError } from './problem-error';

/**
 * Bodies and queries are checked against their DTO classes before a handler runs: unknown fields
 * are refused (not silently dropped), so a typo or an injected field is an error the client sees.
 */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) =>
      new ProblemError(400, 'VALIDATION.FAILED', 'Bad Request', 'The request does not match the expected shape.', {}, flatten(errors)),
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An id in a path must have the shape of one: a malformed id is the caller's mistake (400), while a
 * well-formed id nobody owns, or another user's, stays a 404 so that nothing confirms it exists.
 */
export function requireUuidPathId(id: string): string {
  if (!UUID.test(id)) {
    throw new ProblemError(400, 'VALIDATION.FAILED', 'Bad Request', 'The id in the path must be a UUID.', {}, [{ field: 'id', messages: ['id must be a UUID'] }]);
  }
  return id;
}

function flatten(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
