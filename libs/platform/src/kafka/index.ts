export * from './ensure-topics';
export * from './kafka-transport-options';
export * from './wait-for-consumer-group';
export * from './kafka-dependency';
export * from './start-group-at-end';
export * from './retry-retriable';
