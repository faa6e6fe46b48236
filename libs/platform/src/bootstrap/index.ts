export * from './run-main';
export * from './start-service';
