export * from './infrastructure';
export * from './test-database';
export * from './test-env';
export * from './service-process';
export * from './test-keys';
export * from './eventually';
export * from './kafka-identities';
export * from './schema-registry-deploy';
