export * from './access-token-env';
export * from './access-token-verifier';
