export * from './redis-client';
export * from './session-revocations';
export * from './rate-limiter';
export * from './redis-env';
