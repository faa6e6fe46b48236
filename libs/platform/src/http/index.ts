export * from './public-route';
export * from './bounded-body';
export * from './side-listener';
