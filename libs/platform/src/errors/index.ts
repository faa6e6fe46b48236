export * from './service-error';
export * from './remote-service-errors';
