// Public wire contract of the Bill Vending Service: plain data and types, no framework, no I/O.
//   topics.ts        event topic names, dead-letter and registry-subject naming
//   envelope.ts      the metadata every event carries, and the schema builder that inlines it
//   events/          one file per integration event: payload type, event type, Avro schema
//   event-catalog.ts topic -> event type, owner, key field, schema
//   avro/            the small Avro schema type the schemas are written in
//   rpc/             error codes and value lists of the gRPC calls
//   grpc/            types of the gRPC calls, generated from proto/ (tools/generate-grpc-types.mjs)
export * from './avro/avro-schema';
export * from './topics';
export * from './envelope';
export * from './events';
export * from './event-catalog';
export * from './rpc';
export * from './grpc';
export * from './asyncapi';
