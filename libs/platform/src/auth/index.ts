export * from './access-token-env';
export * from './access-token-verifier';
export * from './es256-signature';
