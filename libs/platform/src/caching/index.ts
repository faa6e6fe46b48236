export * from './expiring-lru-cache';
