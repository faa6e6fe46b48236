export * from './readiness';
export * from './rpc-error';
