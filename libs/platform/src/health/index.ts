export * from './health.module';
export * from './readiness-check';
export * from './readiness.service';
