export * from './config';
export * from './errors';
export * from './health';
export * from './kafka';
export * from './logging';
export * from './persistence';
export * from './bootstrap';
export * from './schema-registry';
