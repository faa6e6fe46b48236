import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { MAX_DELAY_MS, MAX_SEED, TIMEOUT_MODES, type TimeoutMode } from '../behaviour/domain/behaviour';

const RATE = { allowNaN: false, allowInfinity: false } as const;

/** Every field is optional; what is left out keeps its current value. */
export class UpdateBehaviourRequest {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  latencyMinMs?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  latencyMaxMs?: number;

  @IsOptional()
  @IsNumber(RATE)
  @Min(0)
  @Max(1)
  failureRate?: number;

  @IsOptional()
  @IsNumber(RATE)
  @Min(0)
  @Max(1)
  transientErrorRate?: number;

  @IsOptional()
  @IsNumber(RATE)
  @Min(0)
  @Max(1)
  timeoutRate?: number;

  @IsOptional()
  @IsNumber(RATE)
  @Min(0)
  @Max(1)
  pendingRate?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  timeoutDelayMs?: number;

  @IsOptional()
  @IsIn(TIMEOUT_MODES)
  timeoutMode?: TimeoutMode;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(24 * 3_600_000)
  pendingResolveAfterMs?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SEED)
  seed?: number;
}
