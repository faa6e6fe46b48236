export * from './auth';
export * from './billing';
export * from './health';
export * from './wallet';
