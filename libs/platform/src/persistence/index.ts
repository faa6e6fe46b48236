export * from './database.module';
export * from './migrate-with-lock';
export * from './page-cursor';
export * from './postgres-dependency';
export * from './database-unavailable';
export * from './group-commit';
