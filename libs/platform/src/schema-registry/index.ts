// Schema registry access for the event contracts: registration, wire-format encode/decode with
// bigint longs, and named errors. Depends on @kafkajs/confluent-schema-registry (and its avsc).
export * from './event-schema-registry';
export * from './schema-registry-options';
export * from './wire-format';
export * from './avro-bigint-long';
export * from './registry-error-translation';
export * from './errors';
export * from './schema-registry-dependency';
export * from './register-contract-schemas';
