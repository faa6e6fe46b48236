export * from './startup-probe-server';
export * from './wait-for-dependencies';
