import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';

interface FieldError {
  readonly field: string;
  readonly messages: readonly string[];
}

/**
 * Bodies are checked against their request classes before a handler runs. Unknown fields are
 * refused rather than dropped, and nothing is converted: `"5000"` is not an amount.
 */
export function requestValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) => {
      const fields = flatten(errors);
      return new ServiceError('REQUEST.INVALID', 400, 'The request does not match the expected shape.', { errors: fields });
    },
  });
}

function flatten(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
