import { Expose, Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { ServiceEnv } from '@bvs/platform';

export class GatewayEnv extends ServiceEnv {
  /** How long a request waits for a service's reply before the caller gets 504. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  REQUEST_TIMEOUT_MS = 5_000;

  /** How long start-up waits for Kafka to assign the reply partitions. */
  @Expose()
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(300_000)
  KAFKA_READY_TIMEOUT_MS = 60_000;
}
