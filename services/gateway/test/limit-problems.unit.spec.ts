import { RedisUnavailableError } from '@bvs/platform';
import { ProblemError } from '../src/http/problem-error';
import { redisUnavailable } from '../src/limits/limit-problems';

describe('the problem for a Redis that cannot answer', () => {
  it('given a Redis reply error carrying its command, when refused, then the log sees the messages and never the arguments', () => {
    const reply = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), {
      command: { name: 'exists', args: ['bvs:revoked-session:3f0c2a57-session-id'] },
    });
    const problem = redisUnavailable(new RedisUnavailableError('check a session', { cause: reply }));

    expect(problem).toBeInstanceOf(ProblemError);
    expect(problem).toMatchObject({ status: 503, code: 'SERVICE.UNAVAILABLE' });
    const cause = (problem as ProblemError).cause as Error;
    expect(cause.message).toBe('Redis did not answer (check a session): WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(JSON.stringify(cause, Object.getOwnPropertyNames(cause))).not.toContain('session-id');
  });

  it('given an error that is not about Redis, when passed through, then it is left as it is', () => {
    const bug = new TypeError('a bug');
    expect(redisUnavailable(bug)).toBe(bug);
  });
});
