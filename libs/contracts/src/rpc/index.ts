export * from './auth';
export * from './billing';
export * from './readiness';
export * from './rpc-error';
export * from './wallet';
