export * from './logging.module';
export * from './card-number-mask';
export * from './error-serializer';
