import { IsString, Matches } from 'class-validator';
import { PROVIDER_CODE_PATTERN } from '../../catalogue/domain/disco';
import { METER_NUMBER_PATTERN } from '../domain/meter-directory';

export class VerifyMeterRequest {
  @IsString()
  @Matches(PROVIDER_CODE_PATTERN, { message: 'providerCode must be lower-case letters, digits and dashes' })
  providerCode!: string;

  @IsString()
  @Matches(METER_NUMBER_PATTERN, { message: 'meterNumber must be 6 to 20 digits' })
  meterNumber!: string;
}
