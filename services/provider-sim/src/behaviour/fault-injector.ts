import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { ServiceError } from '@bvs/platform';
import { Behaviour, behaviourProblems } from './domain/behaviour';
import { SeededRandom } from './domain/seeded-random';
import { DrawnVendPlan, planFromDraws } from './domain/vend-plan';
import { abortablePause } from '../http/abortable-pause';

export const DEFAULT_BEHAVIOUR = Symbol('DEFAULT_BEHAVIOUR');

/** Any odd constant works; it only has to keep the second stream apart from the first. */
const NOISE_STREAM_SALT = 0x9e37_79b9;

const PROVIDER_UNAVAILABLE = 'PROVIDER.UNAVAILABLE';

/**
 * The simulator's current misbehaviour and its random streams, per process. Vend outcomes draw from
 * their own stream, so latency and the faults of reads (verify, requery) never shift the sequence
 * of outcomes a test or benchmark relies on.
 */
@Injectable()
export class FaultInjector implements BeforeApplicationShutdown {
  private behaviour: Behaviour;
  private outcomes!: SeededRandom;
  private noise!: SeededRandom;
  /** Ends every pause at shutdown: the vends are already stored, so answering early loses nothing. */
  private readonly shutdown = new AbortController();

  constructor(@Inject(DEFAULT_BEHAVIOUR) private readonly defaults: Behaviour) {
    this.behaviour = defaults;
    this.reseed();
  }

  current(): Behaviour {
    return this.behaviour;
  }

  /** Fields not given keep their value. Giving `seed`, even the current one, restarts the sequences. */
  update(changes: Partial<Behaviour>): Behaviour {
    const next = { ...this.behaviour, ...changes };
    const problems = behaviourProblems(next);
    if (problems.length > 0) {
      throw new ServiceError('BEHAVIOUR.INVALID', 400, problems.join('; '), { problems });
    }
    this.behaviour = next;
    if (changes.seed !== undefined) this.reseed();
    return next;
  }

  reset(): Behaviour {
    this.behaviour = this.defaults;
    this.reseed();
    return this.behaviour;
  }

  planVend(): DrawnVendPlan {
    return planFromDraws(this.behaviour, () => this.outcomes.next());
  }

  /** Refuses a read (verify, requery) as an overloaded provider would, before it does anything. */
  refuseReadSometimes(): void {
    if (this.noise.next() < this.behaviour.transientErrorRate) throw providerUnavailable();
  }

  async addLatency(): Promise<void> {
    const { latencyMinMs, latencyMaxMs } = this.behaviour;
    if (latencyMaxMs === 0) return;
    await abortablePause(this.noise.between(latencyMinMs, latencyMaxMs), this.shutdown.signal);
  }

  async withholdResponse(): Promise<void> {
    await abortablePause(this.behaviour.timeoutDelayMs, this.shutdown.signal);
  }

  beforeApplicationShutdown(): void {
    this.shutdown.abort();
  }

  private reseed(): void {
    this.outcomes = new SeededRandom(this.behaviour.seed);
    this.noise = new SeededRandom((this.behaviour.seed ^ NOISE_STREAM_SALT) >>> 0);
  }

}

export function providerUnavailable(): ServiceError {
  return new ServiceError(PROVIDER_UNAVAILABLE, 503, 'The provider is temporarily unavailable and did nothing with this request; retry later.');
}
