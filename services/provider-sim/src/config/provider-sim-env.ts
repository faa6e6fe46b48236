import { Expose, Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { DatabaseServiceEnv } from '@bvs/platform';
import { MAX_DELAY_MS, MAX_SEED, TIMEOUT_MODES, type TimeoutMode } from '../behaviour/domain/behaviour';

/**
 * Everything the simulator reads from its environment, validated once at start-up. The SIM_*
 * variables are the fault-injection defaults; the admin endpoint can change them at runtime and
 * `POST /admin/reset` returns to them.
 */
export class ProviderSimEnv extends DatabaseServiceEnv {
  /** Unset: the admin endpoints do not exist (404), so a shared deployment cannot be re-tuned by anyone. */
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters when set' })
  ADMIN_TOKEN?: string;

  /** The key every caller of the provider API must send as a bearer token; unset, the API is open (own machine only). */
  @Expose()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'API_KEY must be at least 16 characters when set' })
  API_KEY?: string;

  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  SIM_LATENCY_MIN_MS = 0;

  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  SIM_LATENCY_MAX_MS = 0;

  @Expose()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  SIM_FAILURE_RATE = 0;

  @Expose()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  SIM_TRANSIENT_ERROR_RATE = 0;

  @Expose()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  SIM_TIMEOUT_RATE = 0;

  @Expose()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  SIM_PENDING_RATE = 0;

  /** Longer than any sane client timeout (Flutterwave gives up at about 28 s), so the caller sees a timeout. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_DELAY_MS)
  SIM_TIMEOUT_DELAY_MS = 30_000;

  @Expose()
  @IsIn(TIMEOUT_MODES)
  SIM_TIMEOUT_MODE: TimeoutMode = 'HOLD';

  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(24 * 3_600_000)
  SIM_PENDING_RESOLVE_AFTER_MS = 10_000;

  /** Unset: a random seed is chosen at start-up (and shown by `GET /admin/behaviour`). */
  @Expose()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEED)
  SIM_SEED?: number;
}
