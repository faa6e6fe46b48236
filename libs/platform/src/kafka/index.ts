export * from './ensure-topics';
export * from './kafka-errors';
export * from './kafka-request-client';
export * from './kafka-transport-options';
export * from './rpc-error.filter';
export * from './wait-for-consumer-group';
export * from './rpc-context';
export * from './request-shape';
