export * from './logging.module';
export * from './card-number-mask';
