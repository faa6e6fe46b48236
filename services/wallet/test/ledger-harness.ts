import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { dataSourceOptions, loadConfig, migrateWithLock } from '@bvs/platform';
import { TestDatabase, WORKSPACE_ROOT } from '@bvs/platform/testing';
import { DataSource } from 'typeorm';
import { WalletEnv } from '../src/config/wallet-env';
import { WALLET_DATABASE } from '../src/persistence/wallet-database';
import { createWalletUseCases, WalletUseCases } from '../src/wallet/wallet-use-cases';

/** The wallet's use cases on a fresh, migrated database of the real PostgreSQL, without Kafka. */
export class LedgerHarness {
  private constructor(
    readonly database: TestDatabase,
    readonly dataSource: DataSource,
    readonly useCases: WalletUseCases,
    readonly env: WalletEnv,
  ) {}

  static async create(label: string, env: Readonly<Record<string, string>> = {}): Promise<LedgerHarness> {
    const database = await TestDatabase.create(label);
    const walletEnv = loadConfig(WalletEnv, { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: database.url, DATABASE_POOL_SIZE: '20', SANDBOX_DIRECT_FUNDING: 'true', ...env });
    const dataSource = await new DataSource(dataSourceOptions(walletEnv, WALLET_DATABASE)).initialize();
    await migrateWithLock(dataSource);
    return new LedgerHarness(database, dataSource, createWalletUseCases(dataSource, walletEnv), walletEnv);
  }

  async close(): Promise<void> {
    await this.dataSource.destroy();
    await this.database.drop();
  }

  async balanceOf(userId: string): Promise<{ available: bigint; held: bigint }> {
    const wallet = await this.useCases.openWallet.execute(userId);
    return { available: wallet.available, held: wallet.held };
  }

  /** Runs the built audit command against this database, as an operator would. */
  async runAuditCommand(extraEnv: Readonly<Record<string, string>> = {}): Promise<{ code: number; output: string }> {
    const script = path.join(WORKSPACE_ROOT, 'dist/services/wallet/src/audit/main.js');
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [script], { env: { ...process.env, DATABASE_URL: this.database.url, ...extraEnv } });
      return { code: 0, output: stdout };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
    }
  }
}

export const origin = () => ({ correlationId: `test-${randomUUID()}`, causationId: null });
