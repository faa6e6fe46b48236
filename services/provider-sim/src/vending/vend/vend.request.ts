import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { PROVIDER_CODE_PATTERN } from '../../catalogue/domain/disco';
import { METER_NUMBER_PATTERN } from '../../meters/domain/meter-directory';
import { REQUEST_ID_PATTERN } from '../domain/vend';

export class VendHttpRequest {
  /** The caller's idempotency id: sending it again never vends again. */
  @IsString()
  @Matches(REQUEST_ID_PATTERN, { message: 'requestId must be 1 to 64 letters, digits, dots, colons, dashes or underscores' })
  requestId!: string;

  @IsString()
  @Matches(PROVIDER_CODE_PATTERN, { message: 'providerCode must be lower-case letters, digits and dashes' })
  providerCode!: string;

  @IsString()
  @Matches(METER_NUMBER_PATTERN, { message: 'meterNumber must be 6 to 20 digits' })
  meterNumber!: string;

  /** Kobo. A safe integer, so JSON cannot have rounded it before it got here. */
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amount!: number;
}
