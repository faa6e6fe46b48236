// Helpers for the messaging tests; not exported from the platform library.
export * from './capturing-logger';
export * from './topic-tail';
