export * from './public-route';
