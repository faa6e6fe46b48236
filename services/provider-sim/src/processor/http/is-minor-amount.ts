import { ValidateBy, ValidationOptions } from 'class-validator';
import { parseMinorAmount } from '../domain/minor-amount';

/** A field that parseMinorAmount accepts: a positive safe integer, as a JSON number or a digit string. */
export function IsMinorAmount(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMinorAmount',
      validator: {
        validate: (value: unknown) => parseMinorAmount(value) !== null,
        defaultMessage: (args) =>
          `${args?.property ?? 'amount'} must be a whole number of minor units (kobo) above 0 and at most ${Number.MAX_SAFE_INTEGER}, as a JSON integer or a string of digits`,
      },
    },
    options,
  );
}
