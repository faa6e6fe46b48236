export * from './config-error';
export * from './load-config';
export * from './local-default';
export * from './service-env';
