export * from './database.module';
export * from './migrate-with-lock';
