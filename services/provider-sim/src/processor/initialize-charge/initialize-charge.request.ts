import { IsEmail, IsObject, IsOptional, IsString, IsUrl, Matches, MaxLength, ValidateBy } from 'class-validator';
import { CHARGE_REFERENCE_PATTERN, CURRENCY_PATTERN } from '../domain/charge';
import { IsMinorAmount } from '../http/is-minor-amount';

/** Enough for the ids a merchant files under a charge; a bound so no caller can store megabytes. */
export const MAX_METADATA_BYTES = 8_192;

const fitsMetadataLimit = () =>
  ValidateBy({
    name: 'fitsMetadataLimit',
    validator: {
      validate: (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') <= MAX_METADATA_BYTES,
      defaultMessage: () => `metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`,
    },
  });

/**
 * Paystack's `POST /transaction/initialize` body, in the subset the simulator understands. Field
 * names are Paystack's (snake_case). Unknown fields are refused, as everywhere in the simulator,
 * so a client's typo shows here rather than against the real processor.
 */
export class InitializeChargeRequest {
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be an email address' })
  email!: string;

  /** Minor units (kobo): a JSON integer or a string of digits, as Paystack accepts both. */
  @IsMinorAmount()
  amount!: number | string;

  @IsOptional()
  @IsString()
  @Matches(CURRENCY_PATTERN, { message: 'currency must be three upper-case letters, e.g. NGN' })
  currency?: string;

  /** The merchant's unique reference: the idempotency key of the charge. */
  @IsString()
  @Matches(CHARGE_REFERENCE_PATTERN, { message: 'reference must be 1 to 100 letters, digits, dots, equals signs or dashes' })
  reference!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2_048)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message: 'callback_url must be an http(s) URL' })
  callback_url?: string;

  @IsOptional()
  @IsObject()
  @fitsMetadataLimit()
  metadata?: Record<string, unknown>;
}
