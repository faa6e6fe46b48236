export * from './alerts';
export * from './create-anomalies.migration';
export * from './alerts.module';
