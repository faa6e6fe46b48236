import 'reflect-metadata';
import { ConfigError, loadConfig } from '@bvs/platform';
import { WalletEnv } from '../src/config/wallet-env';

const REQUIRED = { HTTP_PORT: '3002', GRPC_PORT: '5002', DATABASE_URL: 'postgres://wallet@127.0.0.1/bvs_wallet' };

describe('the wallet sandbox switch', () => {
  it('given no setting, when the wallet starts, then it does not credit directly', () => {
    expect(loadConfig(WalletEnv, REQUIRED).SANDBOX_DIRECT_FUNDING).toBe(false);
  });

  it('given "true" or "false", when the wallet starts, then it takes exactly that', () => {
    expect(loadConfig(WalletEnv, { ...REQUIRED, SANDBOX_DIRECT_FUNDING: 'true' }).SANDBOX_DIRECT_FUNDING).toBe(true);
    expect(loadConfig(WalletEnv, { ...REQUIRED, SANDBOX_DIRECT_FUNDING: 'false' }).SANDBOX_DIRECT_FUNDING).toBe(false);
  });

  it('given anything else, when the wallet starts, then it refuses to start rather than guess', () => {
    expect(() => loadConfig(WalletEnv, { ...REQUIRED, SANDBOX_DIRECT_FUNDING: 'yes' })).toThrow(ConfigError);
  });
});
