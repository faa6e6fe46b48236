export * from './auth';
export * from './billing';
export * from './readiness';
export * from './wallet';
