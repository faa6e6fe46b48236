export * from './auth';
export * from './readiness';
export * from './rpc-error';
export * from './wallet';
