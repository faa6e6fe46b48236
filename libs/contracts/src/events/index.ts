export * from './user-registered.event';
export * from './wallet-funded.event';
export * from './payment-requested.event';
export * from './payment-completed.event';
export * from './payment-failed.event';
export * from './payment-reversed.event';
