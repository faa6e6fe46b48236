import { IsBoolean } from 'class-validator';

/** The processor's runtime switches; today only auto-pay. */
export class UpdateProcessorSettingsRequest {
  @IsBoolean()
  autoPay!: boolean;
}
